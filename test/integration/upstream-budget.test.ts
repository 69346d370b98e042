import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, UpstreamBudgetError } from '../../src/errors.ts';
import { chargeUpstreamBudget, currentUpstreamBudget, withUpstreamBudget } from '../../src/upstream/budget.ts';
import { SipService } from '../../src/upstream/sip/codes.ts';
import { WallboardDocument } from '../generated/graphql.ts';
import { createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway, wsClient } from '../utils/gateway.ts';

/**
 * One agent with three live status fields: GetSipnumberInfo, then GetSipCallStatus, GetSipValidStatus and
 * GetSipRegisterStatus in parallel — four upstream requests. The status fields are nullable, so a refused one is null
 * with an error and the response waits for every request that was sent.
 */
const GREEDY = `query($e: String!) { agent(extension: $e) { extension callStatus { state } validity registration { registered } } }`;

type GqlError = { message: string; path?: Array<string | number>; extensions?: Record<string, any> };
const budgetErrors = (errors: GqlError[] | undefined) =>
  (errors ?? []).filter((e) => e.extensions?.code === ErrorCode.UpstreamBudgetExceeded);

describe('per-operation upstream budget', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('lets an operation make MAX_UPSTREAM_CALLS_PER_OPERATION requests, refuses the rest, and gives the next one a fresh budget', async () => {
    const gw = await startGateway(disposer, { env: { MAX_UPSTREAM_CALLS_PER_OPERATION: '3' } });
    // Logs in and finds an extension (2 requests: within the budget).
    const list = await gw.gql('{ agents(first: 1) { edges { node { extension } } } }');
    expect(list.errors).toBeUndefined();
    const extension: string = list.data?.agents.edges[0].node.extension;

    for (let round = 0; round < 2; round += 1) {
      gw.sim.stats.reset();
      const { status, data, errors } = await gw.gql(GREEDY, { e: extension });
      expect(status).toBe(200);
      // Exactly the budget reached the simulator; the fourth request was never sent. The next operation (round 1)
      // starts from a fresh budget and gets exactly as far.
      expect(gw.sim.stats.total()).toBe(3);
      expect(gw.sim.stats.count(SipService.GetSipNumberInfo)).toBe(1);
      expect(errors).toHaveLength(1);
      const [refused] = budgetErrors(errors);
      expect(refused?.extensions).toEqual({
        code: ErrorCode.UpstreamBudgetExceeded,
        max: 3,
        upstream: 'sip',
        operation: expect.stringMatching(/^App\.Sip_Status\.GetSip(Call|Valid|Register)Status$/),
      });
      expect(refused?.message).toMatch(/Upstream budget exhausted/);
      // The refused field is null; the agent and the two other fields answered.
      expect(data?.agent.extension).toBe(extension);
      const field = refused?.path?.[1];
      expect(data?.agent[field as string]).toBeNull();
      expect(['callStatus', 'validity', 'registration'].filter((f) => data?.agent[f] !== null)).toHaveLength(2);
    }

    // A small query after them answers in full.
    const small = await gw.gql('{ queues { name } }');
    expect(small.errors).toBeUndefined();

    // The same over graphql-ws: the plugin wraps execute, whatever the transport.
    const ws = wsClient(disposer, gw, 'admin');
    gw.sim.stats.reset();
    const answer = createDeferred<{ errors?: GqlError[] }>();
    ws.subscribe({ query: GREEDY, variables: { e: extension } }, { next: (v) => answer.resolve(v as never), error: answer.reject, complete: () => undefined });
    const overWs = await answer.promise;
    expect(budgetErrors(overWs.errors)).toHaveLength(1);
    expect(gw.sim.stats.total()).toBe(3);
  });

  it('keeps a 2,000-agent wallboard (SIP_LIST_CHUNK_SIZE 500) well under the default budget of 100', async () => {
    const gw = await startGateway(disposer, { env: { SIP_LIST_CHUNK_SIZE: '500' } });
    const queue = [...gw.sim.sip.queues.keys()][0] ?? 'sales';
    for (let i = 0; i < 2_000; i += 1) {
      const number = String(20_000 + i);
      gw.sim.sip.addExtension({ number, password: `pw-${number}` });
      gw.sim.sip.signIn(queue, number, String(i));
    }
    gw.sim.stats.reset();
    // One page of the largest size (2,000): the whole wallboard in one request.
    const { data, errors } = await gw.op(WallboardDocument, { first: 2_000 });
    expect(errors).toBeUndefined();
    expect(data?.agents?.edges).toHaveLength(2_000);
    expect(data?.agents?.totalCount).toBeGreaterThanOrEqual(2_000);
    // login 1 + GetSipnumberInfo 1 + 3 status services × 4 chunks + GetQueueSipStatus 4 + GetQueueList 1 ≈ 19.
    expect(gw.sim.stats.total()).toBeLessThanOrEqual(30);
  });

  it('charges only inside an operation: background work outside one is never refused', () => {
    expect(currentUpstreamBudget()).toBeUndefined();
    for (let i = 0; i < 1_000; i += 1) chargeUpstreamBudget({ upstream: 'sip', operation: 'background' });
    withUpstreamBudget(2, () => {
      chargeUpstreamBudget({ upstream: 'sip', operation: 'a' });
      chargeUpstreamBudget({ upstream: 'aicall', operation: 'b' });
      expect(currentUpstreamBudget()).toMatchObject({ max: 2, used: 2 });
      let refused: unknown;
      try {
        chargeUpstreamBudget({ upstream: 'aicall', operation: 'GET /v1/task' });
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(UpstreamBudgetError);
      expect((refused as UpstreamBudgetError).extensions()).toEqual({ max: 2, upstream: 'aicall', operation: 'GET /v1/task' });
    });
  });
});
