import { afterAll, describe, expect, it } from 'vitest';
import { loaderSetsCreated } from '../../src/context.ts';
import { createDisposer } from '../utils/disposer.ts';
import { startGateway } from '../utils/gateway.ts';

/**
 * Per-request loader sets are built on first use: building every DataLoader of both upstreams for each request was
 * a good part of what a request that reads nothing cost (issue 13). Counted over real HTTP requests.
 */
describe('per-request loaders', () => {
  const disposer = createDisposer();
  afterAll(() => disposer.dispose());

  it('builds none for a request that reads nothing upstream, and one set, of the upstream used, otherwise', async () => {
    const gw = await startGateway(disposer);
    const before = { ...loaderSetsCreated };
    for (let i = 0; i < 5; i += 1) {
      const { status, data, errors } = await gw.gql('{ gateway { version } }');
      expect(status).toBe(200);
      expect(errors).toBeUndefined();
      expect(typeof data?.gateway.version).toBe('string');
    }
    expect(loaderSetsCreated).toEqual(before);

    // `queues` primes the request's queue loader: one SIP set, and still no AI-call set.
    const queues = await gw.gql('{ queues { name } }');
    expect(queues.errors).toBeUndefined();
    expect(queues.data?.queues.length).toBeGreaterThan(0);
    expect(loaderSetsCreated).toEqual({ sip: before.sip + 1, aiCall: before.aiCall });

    // A batched read through the set built on first use still batches: two queues by name, one GetQueueList.
    gw.sim.stats.reset();
    const names: string[] = queues.data?.queues.map((q: { name: string }) => q.name) ?? [];
    const two = await gw.gql(`query($a: String!, $b: String!) { a: queue(name: $a) { name } b: queue(name: $b) { name } }`, {
      a: names[0],
      b: names.at(-1),
    });
    expect(two.errors).toBeUndefined();
    expect(two.data).toEqual({ a: { name: names[0] }, b: { name: names.at(-1) } });
    expect(gw.sim.stats.total()).toBe(1);
    expect(loaderSetsCreated).toEqual({ sip: before.sip + 2, aiCall: before.aiCall });
  });
});
