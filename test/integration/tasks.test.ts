import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SipService } from '../../src/upstream/sip/codes.ts';
import { TaskStatus } from '../../src/simulator/sip/model.ts';
import { CreatePredictiveTaskDocument, type CreatePredictiveTaskInput, TasksPageDocument } from '../generated/graphql.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, type TestGateway, demoQueue } from '../utils/gateway.ts';


const STATUS = (name: string) => /* GraphQL */ `
  mutation($id: ID!) { ${name}(id: $id) { __typename ... on TaskPayload { task { status } } ... on Error { code message } ... on UpstreamRejectedError { upstreamCode } } }
`;

/** n distinct valid mobiles, deterministic. */
function mobiles(n: number, offset = 0): string[] {
  return Array.from({ length: n }, (_, i) => `139${String(offset + i).padStart(8, '0')}`);
}

describe('predictive tasks through the schema', () => {
  const disposer = createDisposer();
  let gw: TestGateway;
  let queue: string;

  // A gateway (and store) of its own for every test: the listing tests count exactly the tasks they created.
  beforeEach(async () => {
    gw = await startGateway(disposer);
    queue = demoQueue(gw.sim);
  });
  afterEach(() => disposer.dispose());

  const create = async (input: CreatePredictiveTaskInput, key: 'operator' | 'viewer' = 'operator') => {
    const result = await gw.op(CreatePredictiveTaskDocument, { input }, key);
    // Tests look into the union freely; the document's types still check every field name against the schema.
    return result as typeof result & { data?: { createPredictiveTask: Record<string, any> } | null };
  };

  /**
   * The four predictive tasks the listing tests page through, oldest first: '双十一回访', 'retry-safe', 'lifecycle'
   * (started, then ended) and 'feed-me'; the simulator's three AI demo tasks are older than all of them.
   */
  const createListedTasks = async () => {
    for (const [i, name] of ['双十一回访', 'retry-safe', 'lifecycle', 'feed-me'].entries()) {
      const created = await create({ name, assignment: { type: 'QUEUE', assignee: queue }, numbers: mobiles(2, 70_000 + 10 * i).map((phone) => ({ phone })) });
      expect(created.data?.createPredictiveTask).toMatchObject({ __typename: 'CreatePredictiveTaskPayload', outcome: 'COMPLETE', task: { name } });
      if (name !== 'lifecycle') continue;
      const id = created.data?.createPredictiveTask.task.id as string;
      for (const command of ['startTask', 'endTask']) {
        const result = await gw.gql(STATUS(command), { id }, 'operator');
        expect(result.data?.[command]).toMatchObject({ __typename: 'TaskPayload' });
      }
    }
  };

  it('creates a task from 25 000 CSV rows with 1 TaskCreat + 2 TaskAdd and reports every refused entry', async () => {
    const phones = mobiles(24_990);
    // 5 invalid entries and 5 duplicates of earlier entries: 25 000 in all.
    const invalid = ['12345', 'abc-def', '+1 415 555 0100', '-', '0101234567'];
    const entries = [...phones, ...invalid, ...phones.slice(0, 5).map((phone) => `+86 ${phone}`)];
    expect(entries).toHaveLength(25_000);
    gw.sim.stats.reset();

    // Over MAX_INPUT_LIST_LENGTH (10 000) as a list of input objects: such lists go as CSV text.
    const numbersCsv = ['phone', ...entries].join('\r\n');
    const { data, errors } = await create({ name: '双十一回访', assignment: { type: 'QUEUE', assignee: queue }, pacing: { agents: 1, calls: 3 }, numbersCsv });
    expect(errors).toBeUndefined();
    const payload = data?.createPredictiveTask;
    expect(payload).toMatchObject({ __typename: 'CreatePredictiveTaskPayload', outcome: 'COMPLETE', acceptedCount: 24_990, rejectedCount: 10, upstreamCalls: 3 });
    expect(gw.sim.stats.count(SipService.TaskCreate)).toBe(1);
    expect(gw.sim.stats.count(SipService.TaskAdd)).toBe(2);

    const rejected = payload?.rejected as Array<Record<string, any>>;
    expect(rejected.map((r) => r.index)).toEqual([24_990, 24_991, 24_992, 24_993, 24_994, 24_995, 24_996, 24_997, 24_998, 24_999]);
    expect(rejected.slice(5).map((r) => [r.reason, r.duplicateOf])).toEqual([0, 1, 2, 3, 4].map((i) => ['DUPLICATE_IN_REQUEST', i]));
    expect(new Set(rejected.slice(0, 5).map((r) => r.reason))).not.toContain('DUPLICATE_IN_REQUEST');

    const task = payload?.task;
    expect(task).toMatchObject({ name: '双十一回访', status: 'NOT_STARTED', assigneeName: queue, assignee: { __typename: 'Queue', name: queue }, pacing: { ratio: '1:3' } });
    expect(task.numberCounts).toEqual({ submitted: 25_000, accepted: 24_990, refused: 10 });
    expect(gw.sim.sip.tasks.get(task.taskId)?.numbers).toHaveLength(24_990);
  });

  it('validates without calling the platform on a dry run', async () => {
    gw.sim.stats.reset();
    const { data } = await create({ name: 'dry', assignment: { type: 'QUEUE', assignee: queue }, dryRun: true, numbers: [{ phone: '139 0000 0001' }, { phone: 'nope' }] });
    expect(data?.createPredictiveTask).toMatchObject({ outcome: 'DRY_RUN', acceptedCount: 1, rejectedCount: 1, upstreamCalls: 0, task: null });
    expect(gw.sim.stats.total()).toBe(0);
  });

  it('returns the first result for a retried idempotency key and refuses the key for another request', async () => {
    const input = { name: 'retry-safe', assignment: { type: 'QUEUE' as const, assignee: queue }, numbers: mobiles(3, 50_000).map((phone) => ({ phone })), idempotencyKey: 'order-2024-0001' };
    gw.sim.stats.reset();
    const first = await create(input);
    const again = await create(input);
    const taskId = first.data?.createPredictiveTask.task.taskId as string;
    expect(taskId).toMatch(/^\d{20}$/);
    expect(first.data?.createPredictiveTask.task.id).toBe(encodeGlobalID('PredictiveTask', taskId));
    expect(again.data?.createPredictiveTask.task.id).toBe(first.data?.createPredictiveTask.task.id);
    expect(again.data?.createPredictiveTask.upstreamCalls).toBe(0);
    expect(gw.sim.stats.count(SipService.TaskCreate)).toBe(1);
    const other = await create({ ...input, name: 'something else' });
    expect(other.data?.createPredictiveTask).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
  });

  it('answers an unknown queue with NotFoundError and creates nothing', async () => {
    const { data } = await create({ name: 'lost', assignment: { type: 'QUEUE', assignee: 'no-such-queue' }, numbers: [{ phone: '13900000001' }] });
    expect(data?.createPredictiveTask).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const list = await gw.gql(`{ tasks(filter: { nameContains: "lost" }) { edges { node { name } } } }`);
    expect(list.data?.tasks.edges).toEqual([]);
  });

  it('starts, pauses, restarts and ends a task, and refuses numbers once it is over', async () => {
    const created = await create({ name: 'lifecycle', assignment: { type: 'QUEUE', assignee: queue }, numbers: mobiles(2, 60_000).map((phone) => ({ phone })) });
    const id = created.data?.createPredictiveTask.task.id as string;
    const taskId = created.data?.createPredictiveTask.task.taskId as string;
    const run = async (name: string) => (await gw.gql(STATUS(name), { id }, 'operator')).data?.[name];

    expect(await run('startTask')).toEqual({ __typename: 'TaskPayload', task: { status: 'RUNNING' } });
    expect(gw.sim.sip.tasks.get(taskId)?.status).toBe(TaskStatus.Running);
    expect(await run('pauseTask')).toEqual({ __typename: 'TaskPayload', task: { status: 'PAUSED' } });
    expect(gw.sim.sip.tasks.get(taskId)?.status).toBe(TaskStatus.Paused);
    expect(await run('startTask')).toEqual({ __typename: 'TaskPayload', task: { status: 'RUNNING' } });
    expect(gw.sim.sip.tasks.get(taskId)?.status).toBe(TaskStatus.Running);
    expect(await run('endTask')).toEqual({ __typename: 'TaskPayload', task: { status: 'ENDED' } });

    const history = await gw.gql(`query($id: ID!) { task(id: $id) { ... on PredictiveTask { statusHistory { from to source } } } }`, { id });
    expect(history.data?.task.statusHistory.map((c: any) => c.to)).toEqual(['NOT_STARTED', 'RUNNING', 'PAUSED', 'RUNNING', 'ENDED']);

    const late = await gw.gql(
      `mutation($input: AddTaskNumbersInput!) { addTaskNumbers(input: $input) { __typename ... on TaskStateConflictError { code status attempted } } }`,
      { input: { taskId: id, numbers: [{ phone: '13900000009' }] } },
      'operator',
    );
    // The gateway knew it ended: refused before sending (before: UpstreamRejectedError 1028 from the PBX).
    expect(late.data?.addTaskNumbers).toEqual({ __typename: 'TaskStateConflictError', code: 'CONFLICT', status: 'ENDED', attempted: 'ADD_NUMBERS' });
  });

  it('adds numbers with per-entry reasons, and removes numbers', async () => {
    const created = await create({ name: 'feed-me', assignment: { type: 'QUEUE', assignee: queue }, numbers: [{ phone: '13900000100' }] });
    const id = created.data?.createPredictiveTask.task.id as string;
    const taskId = created.data?.createPredictiveTask.task.taskId as string;
    const added = await gw.gql(
      `mutation($input: AddTaskNumbersInput!) { addTaskNumbers(input: $input) { ... on AddTaskNumbersPayload { outcome acceptedCount rejected { index reason } task { ... on PredictiveTask { numberCounts { submitted accepted refused } } } } } }`,
      { input: { taskId: id, numbers: [{ phone: '139-0000-0101', customerId: 'C-1', dialAfter: '2030-01-01T00:00:00Z' }, { phone: 'x' }] } },
      'operator',
    );
    expect(added.data?.addTaskNumbers).toEqual({
      outcome: 'COMPLETE',
      acceptedCount: 1,
      rejected: [{ index: 1, reason: 'NOT_A_NUMBER' }],
      task: { numberCounts: { submitted: 3, accepted: 2, refused: 1 } },
    });
    const number = gw.sim.sip.tasks.get(taskId)?.numbers.find((n) => n.phone === '13900000101');
    expect(number).toMatchObject({ customuuid: 'C-1', time: Date.parse('2030-01-01T00:00:00Z') / 1000 });

    const removed = await gw.gql(
      `mutation($input: RemoveTaskNumbersInput!) { removeTaskNumbers(input: $input) { ... on RemoveTaskNumbersPayload { requestedPhones rejected { index } } } }`,
      { input: { taskId: id, phones: ['139 0000 0101', 'bad'] } },
      'operator',
    );
    expect(removed.data?.removeTaskNumbers).toEqual({ requestedPhones: ['13900000101'], rejected: [{ index: 1 }] });
    expect(gw.sim.sip.tasks.get(taskId)?.numbers.some((n) => n.phone === '13900000101')).toBe(false);
  });

  it('lists tasks newest first, paged and filtered, and resolves them by id', async () => {
    await createListedTasks();
    const page = async (after: string | null, kind?: 'PREDICTIVE') => (await gw.op(TasksPageDocument, { first: 2, after, filter: kind ? { kind } : null })).data!.tasks!;
    const names: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i += 1) {
      const result = await page(after, 'PREDICTIVE');
      names.push(...result.edges.map((e) => e.node.name));
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor ?? null;
    }
    expect(names).toEqual(['feed-me', 'lifecycle', 'retry-safe', '双十一回访']);
    // Without a kind, the simulator's (older) AI demo tasks follow in the same list (test/integration/ai-tasks.test.ts).
    const mixed = await gw.op(TasksPageDocument, { first: 100 });
    const kinds = mixed.data!.tasks!.edges.map((e) => e.node.kind);
    expect(kinds.slice(0, 4)).toEqual(['PREDICTIVE', 'PREDICTIVE', 'PREDICTIVE', 'PREDICTIVE']);
    expect(kinds.slice(4)).toEqual(['AI', 'AI', 'AI']);
    const ended = await gw.gql(`{ tasks(filter: { status: [ENDED] }) { edges { node { name status } } } }`);
    expect(ended.data?.tasks.edges).toEqual([{ node: { name: 'lifecycle', status: 'ENDED' } }]);
    const byName = await gw.gql(`{ tasks(filter: { nameContains: "双十一" }) { edges { node { id name } } } }`);
    const id = byName.data?.tasks.edges[0].node.id;
    const node = await gw.gql(`query($id: ID!) { node(id: $id) { ... on Task { name kind } } }`, { id });
    expect(node.data?.node).toEqual({ name: '双十一回访', kind: 'PREDICTIVE' });
  });

  it('counts tasks of both kinds in totalCount, the same on every page, with one AI list read per page', async () => {
    await createListedTasks();
    const count = async (filter: Record<string, unknown> | null, first = 2, after: string | null = null) =>
      (await gw.op(TasksPageDocument, { first, after, filter })).data!.tasks!;
    const predictive = await count({ kind: 'PREDICTIVE' });
    expect(predictive.totalCount).toBe(4);
    expect(predictive.unavailable).toEqual([]);
    gw.sim.stats.reset();
    const all = await count(null, 100);
    expect(all.totalCount).toBe(all.edges.length);
    expect(all.totalCount).toBe(7);
    expect(gw.sim.stats.count('GET /v1/task')).toBe(1);
    const ai = await count({ kind: 'AI' });
    expect(ai.totalCount).toBe(3);
    // The second page of the mixed list counts the same tasks as the first.
    const second = await count(null, 3, (await count(null, 3)).pageInfo.endCursor ?? null);
    expect(second.totalCount).toBe(7);
    expect((await count({ status: ['ENDED'] })).totalCount).toBe(1);
    expect((await count({ nameContains: '双十一' })).totalCount).toBe(1);
  });

  it('names the connection TaskConnection / TaskEdge and takes no last/before (a document with them fails validation)', async () => {
    const types = await gw.gql(`{ t: __type(name: "TaskConnection") { fields { name } } e: __type(name: "TaskEdge") { name } q: __type(name: "Query") { fields { name args { name } } } }`);
    expect(types.data?.t.fields.map((f: { name: string }) => f.name).sort()).toEqual(['complete', 'edges', 'pageInfo', 'totalCount', 'unavailable']);
    expect(types.data?.e).toEqual({ name: 'TaskEdge' });
    const args = (field: string) =>
      types.data?.q.fields.find((f: { name: string }) => f.name === field).args.map((a: { name: string }) => a.name).sort();
    expect(args('tasks')).toEqual(['after', 'filter', 'first']);
    expect(args('agents')).toEqual(['after', 'filter', 'first']);
    expect(args('callRecords')).toEqual(['after', 'filter', 'first']);
    for (const query of ['{ tasks(last: 2) { totalCount } }', '{ tasks(before: "x") { totalCount } }', '{ agents(last: 2) { totalCount } }']) {
      const { data, errors } = await gw.gql(query);
      expect(data, query).toBeUndefined();
      expect(errors?.[0]?.extensions?.code, query).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(errors?.[0]?.message, query).toMatch(/Unknown argument "(last|before)"/);
    }
    const refused = await gw.gql('{ tasks(first: 501) { totalCount } }');
    expect(refused.errors?.[0]).toMatchObject({ path: ['tasks'], extensions: { code: 'INVALID_INPUT', field: 'first' } });
  });

  it('forbids a viewer to create tasks', async () => {
    gw.sim.stats.reset();
    const { errors } = await create({ name: 'nope', assignment: { type: 'QUEUE', assignee: queue }, numbers: [{ phone: '13900000001' }] }, 'viewer');
    expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(gw.sim.stats.total()).toBe(0);
  });
});
