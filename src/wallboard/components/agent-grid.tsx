import { memo } from '../memo.ts';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { AgentTile as Tile } from '../lib/agents.ts';
import { displayState, inCall } from '../lib/agents.ts';
import { timeInState } from '../lib/format.ts';
import { maskNumber } from '../lib/mask.ts';
import { track, untrack } from '../ticker.ts';
import { useI18n } from '../i18n-context.ts';
import { StateIcon } from './icons.tsx';

/**
 * The agents' grid. Tiles are memoised on their tile object (replaced only when that agent changed), so a flush of
 * events re-renders only the changed tiles. The first render of a big grid goes in chunks, one per frame, so no task
 * runs long.
 */

// Creating ~100 tiles took 20–35 ms in one frame on a loaded 2-core machine (plus that frame's layout and paint): 60
// per frame keeps each frame's task well under 50 ms; 1,000 tiles take ~17 frames.
const FIRST_CHUNK = 40;
const CHUNK = 60;

export interface AgentActions {
  setAvailability(extension: string, available: boolean): void;
}

/** The ticking part: registered with the page's one timer; its text changes without a render. */
function TimeInState({ since }: { since: number | null }) {
  const ref = useRef<HTMLSpanElement>(null);
  const { t } = useI18n();
  // Registered once per element (observing and unobserving on every state change would make the visibility observer
  // recompute for every event); a new start time only updates the entry.
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    track(element, since);
    return () => untrack(element);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useLayoutEffect(() => {
    if (ref.current) track(ref.current, since);
  }, [since]);
  return (
    <span class="time" data-testid="time-in-state" ref={ref} title={t('agent.timeInState')}>
      {timeInState(since, Date.now()) || '–'}
    </span>
  );
}

/**
 * Busy and idle are per queue seat: an agent in no queue, or one the switch does not have (disabled, not found), has
 * nothing to set. One already busy in every queue is only offered idle; one busy in some queues is offered both.
 */
function operable(tile: Tile): boolean {
  return tile.queues.length > 0 && tile.state !== 'DISABLED' && tile.state !== 'NOT_FOUND';
}

const AgentTileView = memo(function AgentTileView({ tile, canOperate, actions }: { tile: Tile; canOperate: boolean; actions: AgentActions }) {
  const { t } = useI18n();
  const state = displayState(tile);
  const label = t(`state.${state}`);
  const calling = inCall(tile.state);
  const direction = calling && tile.direction ? t(`direction.${tile.direction}`) : '';
  const masked = calling ? maskNumber(tile.customerNumber) : '';
  return (
    <li
      class="tile"
      data-testid="agent-tile"
      data-extension={tile.extension}
      data-state={state}
      data-event-id={tile.eventId ?? ''}
      aria-label={`${tile.extension} ${label}`}
    >
      {/* The state's colours are on this inner box, not on the tile: a style change of the tile element itself would
          make the browser lay out the whole grid, while changes inside a fixed-size contained tile stay in it. */}
      <div class={`tile-body state-${state}`}>
        <div class="tile-head">
          <span class="ext">{tile.extension}</span>
          <TimeInState since={tile.since} />
        </div>
        <div class="tile-state" title={label}>
          <StateIcon />
          <span class="state-label">{label}</span>
          {direction && (
            <span class={`direction direction-${tile.direction}`} data-testid="direction" title={direction}>
              {tile.direction === 'INBOUND' ? '↙' : tile.direction === 'OUTBOUND' ? '↗' : ''} {direction}
            </span>
          )}
        </div>
        <div class="customer" data-testid="customer-number" title={t('agent.customer')}>
          {masked}
        </div>
        <div class="tile-queues" title={t('agent.queues')}>
          {tile.queues.join(' · ')}
        </div>
        {canOperate && operable(tile) && (
          <div class="tile-actions">
            {!tile.paused && (
              <button type="button" data-action="set-busy" title={t('agent.setBusyTitle')} onClick={() => actions.setAvailability(tile.extension, false)}>
                {t('agent.setBusy')}
              </button>
            )}
            <button type="button" data-action="set-idle" title={t('agent.setIdleTitle')} onClick={() => actions.setAvailability(tile.extension, true)}>
              {t('agent.setIdle')}
            </button>
          </div>
        )}
      </div>
    </li>
  );
});

function matches(tile: Tile, filter: string): boolean {
  return tile.extension.includes(filter) || tile.queues.some((queue) => queue.toLowerCase().includes(filter));
}

export function AgentGrid(props: {
  tiles: ReadonlyMap<string, Tile>;
  order: readonly string[];
  totalAgents: number;
  canOperate: boolean;
  actions: AgentActions;
}) {
  const { tiles, order, totalAgents, canOperate, actions } = props;
  const { t, format } = useI18n();
  const [filter, setFilter] = useState('');
  const [shown, setShown] = useState(FIRST_CHUNK);
  const needle = filter.trim().toLowerCase();
  // Unfiltered, the list is the load's order: nothing to recompute per event.
  const filterTiles = needle === '' ? null : tiles;
  const visible = useMemo(
    () =>
      filterTiles === null
        ? order
        : order.filter((extension) => {
            const tile = filterTiles.get(extension);
            return tile !== undefined && matches(tile, needle);
          }),
    [order, needle, filterTiles],
  );
  useEffect(() => {
    if (shown >= visible.length) return;
    const frame = requestAnimationFrame(() => setShown((count) => count + CHUNK));
    return () => cancelAnimationFrame(frame);
  }, [shown, visible.length]);
  const items = visible.length > shown ? visible.slice(0, shown) : visible;
  return (
    <section class="panel agents" aria-labelledby="agents-title">
      <header class="panel-head">
        <h2 id="agents-title">{t('agents.title')}</h2>
        <span class="muted">{t('agents.count', { shown: format.count(visible.length), total: format.count(totalAgents) })}</span>
        {totalAgents > order.length && <span class="warning">{t('agents.truncated', { count: format.count(order.length) })}</span>}
        <input
          class="filter"
          type="search"
          placeholder={t('agents.filter')}
          aria-label={t('agents.filter')}
          value={filter}
          onInput={(event) => setFilter((event.currentTarget as HTMLInputElement).value)}
        />
      </header>
      {order.length === 0 ? (
        <p class="empty">{t('agents.none')}</p>
      ) : (
        <ul class="grid" data-testid="agent-grid">
          {items.map((extension) => {
            const tile = tiles.get(extension);
            return tile ? <AgentTileView key={extension} tile={tile} canOperate={canOperate} actions={actions} /> : null;
          })}
        </ul>
      )}
    </section>
  );
}
