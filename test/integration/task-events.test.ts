import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_STATUS } from '../utils/callback-seeds.ts';
import { createDisposer } from '../utils/disposer.ts';
import { KEYS, startGateway, type TestGateway, wsClient, demoQueue } from '../utils/gateway.ts';
import { collectSubscription } from '../utils/subscription.ts';

/** Issue 11 item 9: every task status change the gateway makes is pushed as taskStatusChanged, with previous/source/kind. */

const SECRET = 'task-events-callback-secret-01';

const TASK_EVENTS = /* GraphQL */ `
  subscription($taskId: ID, $after: ID) {
    taskStatusChanged(taskId: $taskId, after: $after) {
      eventId kind source previous status deleted platformTaskId taskGlobalId
      task { id status progress { total dialled } }
    }
  }
`;

interface TaskEvent {
  eventId: string;
  kind: 'PREDICTIVE' | 'AI';
  source: 'MUTATION' | 'CALLBACK';
  previous: string | null;
  status: string | null;
  deleted: boolean;
  platformTaskId: string;
  taskGlobalId: string;
  task: { id: string; status: string; progress: { total: number; dialled: number | null } } | null;
}

const COMMAND = (name: string) => /* GraphQL */ `
  mutation($id: ID!) { ${name}(input: { taskId: $id }) { __typename ... on TaskPayload { task { status } } ... on Error { code message } } }
`;

const brief = (e: TaskEvent) => [e.kind, e.source, e.previous, e.status];

describe('taskStatusChanged: changes made through the gateway, and the PBX callback', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let client: Client;

  beforeAll(async () => {
    gw = await startGateway(disposer, { env: { CALLBACK_SECRET: SECRET } });
    client = wsClient(disposer, gw, 'viewer');
  });
  afterAll(() => disposer.dispose());

  const command = async (name: string, id: string) => {
    const result = await gw.gql(COMMAND(name), { id }, 'operator');
    expect(result.errors).toBeUndefined();
    return result.data?.[name] as { __typename: string; task?: { status: string } | null };
  };

  async function createPredictive(name: string, phones: string[]): Promise<{ id: string; platformId: string }> {
    const queue = demoQueue(gw.sim);
    const result = await gw.gql(
      `mutation($input: CreatePredictiveTaskInput!) { createPredictiveTask(input: $input) { __typename ... on CreatePredictiveTaskPayload { task { id ... on PredictiveTask { platformId } } } } }`,
      { input: { name, assignment: { type: 'QUEUE', assignee: queue }, numbers: phones.map((phone) => ({ phone })) } },
      'operator',
    );
    const task = result.data?.createPredictiveTask?.task as { id: string; platformId: string } | undefined;
    if (!task) throw new Error(`create failed: ${JSON.stringify(result)}`);
    return task;
  }

  it('pushes creation, start, pause, start and end of a predictive task, one event each, with previous and status', async () => {
    const task = await createPredictive('推送-P', ['13900000101', '13900000102']);
    const sub = collectSubscription<TaskEvent>(client, TASK_EVENTS, { taskId: task.id, after: '0' });
    const created = await sub.until(1);
    expect(brief(created[0] as TaskEvent)).toEqual(['PREDICTIVE', 'MUTATION', null, 'NOT_STARTED']);

    expect(await command('startTask', task.id)).toMatchObject({ task: { status: 'RUNNING' } });
    const [, started] = await sub.until(2);
    expect(started).toMatchObject({ kind: 'PREDICTIVE', source: 'MUTATION', previous: 'NOT_STARTED', status: 'RUNNING', deleted: false });
    expect(started).toMatchObject({ platformTaskId: task.platformId, taskGlobalId: task.id, task: { id: task.id, status: 'RUNNING' } });

    expect(await command('pauseTask', task.id)).toMatchObject({ task: { status: 'PAUSED' } });
    await sub.until(3);
    // A retried pause (the mutations take no idempotency key; the same command again): no second event.
    expect(await command('pauseTask', task.id)).toMatchObject({ task: { status: 'PAUSED' } });
    expect(await command('startTask', task.id)).toMatchObject({ task: { status: 'RUNNING' } });
    expect(await command('endTask', task.id)).toMatchObject({ task: { status: 'ENDED' } });
    const events = await sub.until(5);
    expect(events.map(brief)).toEqual([
      ['PREDICTIVE', 'MUTATION', null, 'NOT_STARTED'],
      ['PREDICTIVE', 'MUTATION', 'NOT_STARTED', 'RUNNING'],
      ['PREDICTIVE', 'MUTATION', 'RUNNING', 'PAUSED'],
      ['PREDICTIVE', 'MUTATION', 'PAUSED', 'RUNNING'],
      ['PREDICTIVE', 'MUTATION', 'RUNNING', 'ENDED'],
    ]);
    // The event's status is what the task shows right after.
    const read = await gw.gql(`query($id: ID!) { task(id: $id) { status } }`, { id: task.id });
    expect(read.data?.task).toEqual({ status: 'ENDED' });
    const ids = events.map((e) => Number(e.eventId));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    sub.stop();

    // Resuming with `after` replays exactly the ones after it.
    const resumed = collectSubscription<TaskEvent>(client, TASK_EVENTS, { taskId: task.id, after: events[1]?.eventId });
    expect((await resumed.until(3)).map((e) => e.status)).toEqual(['PAUSED', 'RUNNING', 'ENDED']);
    resumed.stop();
    // Stored: one event per change, none for the repeated pause.
    const stored = await gw.app.services.store.events.eventsAfter('task-status', 0, { subjects: [task.platformId] });
    expect(stored).toHaveLength(5);
  });

  it('still pushes the PBX finished callback, with previous, and a finished task reports every number dialled', async () => {
    const task = await createPredictive('推送-完成', ['13900000201', '13900000202', '13900000203']);
    await command('startTask', task.id);
    const sub = collectSubscription<TaskEvent>(client, TASK_EVENTS, { taskId: task.id, after: '0' });
    await sub.until(2);
    const answer = await fetch(`${gw.url}/callbacks/${SECRET}/task-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...TASK_STATUS, taskid: task.platformId }),
    });
    expect(answer.status).toBe(200);
    const [, , finished] = await sub.until(3);
    expect(finished).toMatchObject({ kind: 'PREDICTIVE', source: 'CALLBACK', previous: 'RUNNING', status: 'FINISHED' });
    expect(finished?.task).toMatchObject({ status: 'FINISHED', progress: { total: 3, dialled: 3 } });
    sub.stop();
  });

  it('an AI task paused twice (a start between) by a client reusing one x-request-id: both pauses are events', async () => {
    const state = gw.sim.aicall.state;
    const seeded = [...state.tasks.values()][0];
    const line = [...state.callerLines.values()].find((l) => state.residue(l.id) >= 1);
    if (!seeded || !line) throw new Error('no demo resources');
    const simTask = state.createTask({ ...seeded, name: '同一请求号-AI', callerLineId: line.id, maximumcall: 1 });
    const id = encodeGlobalID('AiTask', simTask.uuid);
    // The client's own request id, the same on every command: the change key must not be built from it.
    const send = async (name: string) => {
      const response = await fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.operator}`, 'x-request-id': 'session-7' },
        body: JSON.stringify({ query: COMMAND(name), variables: { id } }),
      });
      expect(response.headers.get('x-request-id')).toBe('session-7');
      return ((await response.json()) as { data: Record<string, { task?: { status: string } }> }).data[name];
    };
    expect(await send('startTask')).toMatchObject({ task: { status: 'RUNNING' } });
    expect(await send('pauseTask')).toMatchObject({ task: { status: 'PAUSED' } });
    expect(await send('startTask')).toMatchObject({ task: { status: 'RUNNING' } });
    expect(await send('pauseTask')).toMatchObject({ task: { status: 'PAUSED' } });
    const stored = await gw.app.services.store.events.eventsAfter('task-status', 0, { subjects: [simTask.uuid] });
    expect(stored.map((e) => e.payload.status)).toEqual(['RUNNING', 'PAUSED', 'RUNNING', 'PAUSED']);
  });

  it('pushes start, pause and deletion of an AI task; a retried start pushes nothing more', async () => {
    const state = gw.sim.aicall.state;
    const seeded = [...state.tasks.values()][0];
    const line = [...state.callerLines.values()].find((l) => state.residue(l.id) >= 1);
    if (!seeded || !line) throw new Error('no demo resources');
    const simTask = state.createTask({ ...seeded, name: '推送-AI', callerLineId: line.id, maximumcall: 1 });
    const id = encodeGlobalID('AiTask', simTask.uuid);
    // From the newest stored event, so the subscription misses nothing however late it starts.
    const from = String(await gw.app.services.store.events.latestId('task-status'));
    const sub = collectSubscription<TaskEvent>(client, TASK_EVENTS, { taskId: id, after: from });

    expect(await command('startTask', id)).toMatchObject({ task: { status: 'RUNNING' } });
    const [started] = await sub.until(1);
    expect(started).toMatchObject({ kind: 'AI', source: 'MUTATION', previous: 'PAUSED', status: 'RUNNING', taskGlobalId: id, task: { id, status: 'RUNNING' } });
    expect(await command('startTask', id)).toMatchObject({ task: { status: 'RUNNING' } });
    expect(await command('pauseTask', id)).toMatchObject({ task: { status: 'PAUSED' } });
    const deleted = await gw.gql(`mutation($id: ID!) { deleteTask(input: { taskId: $id }) { __typename } }`, { id }, 'operator');
    expect(deleted.data?.deleteTask).toEqual({ __typename: 'DeleteTaskPayload' });
    const events = await sub.until(3);
    expect(events.map(brief)).toEqual([
      ['AI', 'MUTATION', 'PAUSED', 'RUNNING'],
      ['AI', 'MUTATION', 'RUNNING', 'PAUSED'],
      ['AI', 'MUTATION', 'PAUSED', null],
    ]);
    expect(events[2]).toMatchObject({ deleted: true, task: null });
    sub.stop();

    const replay = collectSubscription<TaskEvent>(client, TASK_EVENTS, { taskId: id, after: '0' });
    expect((await replay.until(3)).map((e) => e.status)).toEqual(['RUNNING', 'PAUSED', null]);
    replay.stop();
    // Only this task's three: a retried start added none, and the predictive tasks' events are not this task's.
    const stored = await gw.app.services.store.events.eventsAfter('task-status', 0, { subjects: [simTask.uuid] });
    expect(stored).toHaveLength(3);
  });
});
