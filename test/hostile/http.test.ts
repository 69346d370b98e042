import { afterAll, describe, expect, it } from 'vitest';
import { createDisposer } from '../utils/disposer.ts';
import { expectNoUpstreamCalls, expectProbeAnswered, expectRefusal, gatewayPool, probe, rawRequest, settle } from './harness.ts';
import { HTTP_SHAPES } from './http-shapes.ts';

/**
 * Hostile inputs over HTTP (issue 9, "How it is checked"): each row of HTTP_SHAPES is sent to a real port while a
 * probe (`{ gateway { version } }`, no upstream call) is sent beside it. Every row must be refused with its HTTP status
 * and stable `extensions.code`, the simulator must have counted 0 upstream calls, and the probe must be answered both
 * meanwhile and after.
 */
describe('hostile inputs over HTTP', () => {
  const disposer = createDisposer();
  const gateways = gatewayPool(disposer);
  afterAll(() => disposer.dispose());

  it('has at least 25 shapes, each with a unique name', () => {
    expect(HTTP_SHAPES.length).toBeGreaterThanOrEqual(25);
    expect(new Set(HTTP_SHAPES.map((s) => s.name)).size).toBe(HTTP_SHAPES.length);
  });

  it.each(HTTP_SHAPES.map((shape) => [shape.name, shape] as const))('%s', async (_name, shape) => {
    const gw = await gateways(shape.env);
    await settle(gw);
    const requests = shape.run ? null : [shape.build?.() ?? []].flat();
    const hostile = shape.run ? shape.run(gw.url) : Promise.all((requests ?? []).map((request) => rawRequest(gw.url, request)));
    // Sent while the hostile request is still in flight (or its connection still open).
    const meanwhile = probe(gw.url);
    const [replies, probeMeanwhile] = await Promise.all([hostile, meanwhile]);

    // One reply per request the row builds; a row that runs itself returns at least one.
    expect(replies.length).toBeGreaterThan(0);
    expect(replies).toHaveLength(requests === null ? replies.length : requests.length);
    for (const reply of replies) expectRefusal(reply, shape.expected);
    expectProbeAnswered(probeMeanwhile, 'meanwhile');
    expectProbeAnswered(await probe(gw.url), 'after');
    expectNoUpstreamCalls(gw, shape.name);
  }, 60_000);
});
