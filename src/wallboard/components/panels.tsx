import { memo } from '../memo.ts';
import type { QueueFigures } from '../lib/batch.ts';
import { type CallRecordItem, customerNumberOf } from '../lib/feed.ts';
import { formatDuration } from '../lib/format.ts';
import { maskNumber } from '../lib/mask.ts';
import { type TaskItem, type TaskStatistics, taskProgressPercent } from '../lib/tasks.ts';
import { useI18n } from '../i18n-context.ts';

/** The right column: queues (today's live figures), campaigns, and the latest call records. */

export const QueuePanel = memo(function QueuePanel({ queues, stats }: { queues: readonly string[]; stats: ReadonlyMap<string, QueueFigures> }) {
  const { t, format } = useI18n();
  return (
    <section class="panel queues" aria-labelledby="queues-title">
      <header class="panel-head">
        <h2 id="queues-title">{t('queues.title')}</h2>
      </header>
      {queues.length === 0 ? (
        <p class="empty">{t('queues.none')}</p>
      ) : (
        <table class="figures">
          <thead>
            <tr>
              <th scope="col">{t('queues.name')}</th>
              <th scope="col">{t('queues.offered')}</th>
              <th scope="col">{t('queues.answered')}</th>
              <th scope="col">{t('queues.abandoned')}</th>
              <th scope="col">{t('queues.serviceLevel')}</th>
              <th scope="col">{t('queues.asa')}</th>
            </tr>
          </thead>
          <tbody>
            {queues.map((name) => {
              const figures = stats.get(name);
              const count = (value: number | undefined) => (value === undefined ? '—' : format.count(value));
              return (
                <tr key={name} data-testid="queue-row" data-queue={name}>
                  <th scope="row">{name}</th>
                  <td data-field="offered">{count(figures?.offered)}</td>
                  <td data-field="answered">{count(figures?.answered)}</td>
                  <td data-field="abandoned" class={figures && figures.abandoned > 0 ? 'bad' : undefined}>
                    {count(figures?.abandoned)}
                  </td>
                  <td data-field="serviceLevel">{format.percent(figures?.serviceLevel.percent)}</td>
                  <td data-field="asa">{format.seconds(figures?.averageSpeedOfAnswerSeconds)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
});

export interface TaskActions {
  runTaskCommand(taskId: string, command: 'pause' | 'start'): void;
}

function TaskRow({ task, statistics, canOperate, actions }: { task: TaskItem; statistics: TaskStatistics | undefined; canOperate: boolean; actions: TaskActions }) {
  const { t, format } = useI18n();
  const percent = taskProgressPercent(task, statistics);
  const rate = statistics?.recentAbandonRate.percent ?? statistics?.abandonRatePercent ?? null;
  const guard = statistics?.abandonGuard ?? null;
  const over = guard !== null && (guard.tripped || (rate !== null && rate > guard.targetPercent));
  return (
    <li class={`task status-${task.status}`} data-testid="task-row" data-task-id={task.id} data-status={task.status} data-kind={task.kind}>
      <div class="task-head">
        <span class="task-name">{task.name}</span>
        <span class="badge kind">{t(`kind.${task.kind}`)}</span>
        <span class={`badge status status-${task.status}`}>{t(`status.${task.status}`)}</span>
      </div>
      <div class="progress" title={t('tasks.progress')}>
        <div class="bar" role="progressbar" aria-label={t('tasks.progress')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent ?? undefined}>
          <div class="fill" style={{ width: `${percent ?? 0}%` }} />
        </div>
        <span class="progress-text">{format.percent(percent)}</span>
      </div>
      {task.kind === 'PREDICTIVE' && (
        <div class={`abandon ${over ? 'bad' : ''}`} data-testid="abandon-rate">
          <span>{t('tasks.abandonRate')}</span> <strong>{format.percent(rate)}</strong>
          {guard && <span class="muted"> {t('tasks.target', { target: format.percent(guard.targetPercent) })}</span>}
          {guard?.tripped && <span class="badge bad"> {t('tasks.tripped')}</span>}
        </div>
      )}
      {canOperate && (task.availableActions.includes('PAUSE') || task.availableActions.includes('START')) && (
        <div class="task-actions">
          {task.availableActions.includes('PAUSE') && (
            <button type="button" data-action="pause" onClick={() => actions.runTaskCommand(task.id, 'pause')}>
              {t('tasks.pause')}
            </button>
          )}
          {task.availableActions.includes('START') && (
            <button type="button" data-action="start" onClick={() => actions.runTaskCommand(task.id, 'start')}>
              {t('tasks.start')}
            </button>
          )}
        </div>
      )}
    </li>
  );
}

export const TaskPanel = memo(function TaskPanel(props: {
  tasks: readonly TaskItem[];
  stats: ReadonlyMap<string, TaskStatistics>;
  aiUnavailable: boolean;
  canOperate: boolean;
  actions: TaskActions;
}) {
  const { t } = useI18n();
  return (
    <section class="panel tasks" aria-labelledby="tasks-title">
      <header class="panel-head">
        <h2 id="tasks-title">{t('tasks.title')}</h2>
      </header>
      {props.aiUnavailable && <p class="warning">{t('tasks.aiUnavailable')}</p>}
      {props.tasks.length === 0 ? (
        <p class="empty">{t('tasks.none')}</p>
      ) : (
        <ul class="task-list">
          {props.tasks.map((task) => (
            <TaskRow key={task.id} task={task} statistics={props.stats.get(task.id)} canOperate={props.canOperate} actions={props.actions} />
          ))}
        </ul>
      )}
    </section>
  );
});

export const CallFeed = memo(function CallFeed({ calls }: { calls: readonly CallRecordItem[] }) {
  const { t, format } = useI18n();
  return (
    <section class="panel calls" aria-labelledby="calls-title">
      <header class="panel-head">
        <h2 id="calls-title">{t('calls.title')}</h2>
      </header>
      <ol class="feed" data-testid="call-feed">
        {calls.length === 0 && <li class="empty">{t('calls.none')}</li>}
        {calls.map((record) => (
          <li key={record.id} class={`call ${record.answered ? 'answered' : 'missed'}`} data-testid="call-record" data-record-id={record.id}>
            <span class="call-time">{format.time(record.endedAt ?? record.startedAt)}</span>
            <span class="call-ext">{record.extension ?? '—'}</span>
            <span class="call-dir" title={t(`direction.${record.direction}`)}>
              {record.direction === 'INBOUND' ? '↙' : record.direction === 'OUTBOUND' ? '↗' : '·'}
            </span>
            <span class="call-number">{maskNumber(customerNumberOf(record))}</span>
            <span class="call-outcome">
              {record.answered ? t('calls.talk', { duration: formatDuration(record.talkSeconds) }) : t('calls.missed')}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
});
