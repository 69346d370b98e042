import { Counter, Histogram, Registry, type RegistryContentType } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastCounter, FastHistogram } from '../../src/observability/fast-metrics.ts';

/**
 * FastCounter and FastHistogram must export exactly what prom-client's Counter and Histogram export for the same
 * updates: /metrics keeps its text, and the two cannot drift apart unnoticed (e.g. after a prom-client upgrade).
 */

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** On bounds, between them, above the last, zero, negative, and sums that do not add up exactly in binary. */
const VALUES = [0, 0.005, 0.0051, 0.01, 0.1, 0.3, 0.7, 1, 2.5, 9.99, 10, 10.01, 42, -1, 0.1, 0.2, 1e-9];
/** Label sets in first-use order, some repeated, one with characters the exposition format escapes. */
const LABEL_SETS: readonly [string, string][] = [
  ['Wallboard', 'query'],
  ['anonymous', 'mutation'],
  ['Wallboard', 'query'],
  ['quote"back\\slash\nnewline', 'subscription'],
  ['Wallboard', 'subscription'],
  ['anonymous', 'mutation'],
];

interface Pair {
  prom: Registry<RegistryContentType>;
  fast: Registry<RegistryContentType>;
}

/** Two registries of the given content type: one for prom-client's metrics, one for the fast ones. */
function registries(contentType: RegistryContentType = Registry.PROMETHEUS_CONTENT_TYPE): Pair {
  const pair: Pair = { prom: new Registry<RegistryContentType>(), fast: new Registry<RegistryContentType>() };
  pair.prom.setContentType(contentType);
  pair.fast.setContentType(contentType);
  return pair;
}

/** Compares the two registries' text and JSON; returns the text. */
async function expectSameExport({ prom, fast }: Pair): Promise<string> {
  const text = await prom.metrics();
  expect(await fast.metrics()).toBe(text);
  expect(await fast.getMetricsAsJSON()).toEqual(await prom.getMetricsAsJSON());
  return text;
}

function histograms(pair: Pair, buckets = BUCKETS) {
  const config = { name: 'test_duration_seconds', help: 'A "help" text\\with escapes', labelNames: ['operation', 'type'] as const, buckets };
  return {
    prom: new Histogram({ ...config, registers: [pair.prom] }),
    fast: new FastHistogram({ ...config, registers: [pair.fast] }),
  };
}

function counters(pair: Pair) {
  const config = { name: 'test_operations_total', help: 'Operations.', labelNames: ['operation', 'type', 'outcome'] as const };
  return {
    prom: new Counter({ ...config, registers: [pair.prom] }),
    fast: new FastCounter({ ...config, registers: [pair.fast] }),
  };
}

describe('fast metrics export exactly as prom-client', () => {
  it('a histogram fed the same observations renders the same text and JSON', async () => {
    const pair = registries();
    const { prom, fast } = histograms(pair);
    LABEL_SETS.forEach(([operation, type], set) => {
      for (const value of VALUES) {
        const scaled = value * (set + 1);
        prom.labels(operation, type).observe(scaled);
        fast.cell(operation, type).observe(scaled);
      }
    });
    await expectSameExport(pair);
  });

  it('a histogram with one label and other bounds (the replay histogram) renders the same', async () => {
    const pair = registries();
    const config = { name: 'test_replay_events', help: 'Replayed.', labelNames: ['topic'] as const, buckets: [0, 1, 10, 50, 100] };
    const prom = new Histogram({ ...config, registers: [pair.prom] });
    const fast = new FastHistogram({ ...config, registers: [pair.fast] });
    for (const [topic, events] of [['call-record', 0], ['agent-state', 3], ['call-record', 100], ['call-record', 101]] as const) {
      prom.labels(topic).observe(events);
      fast.cell(topic).observe(events);
    }
    await expectSameExport(pair);
  });

  it('a counter with the same increments (zeroed label sets included) renders the same, also as OpenMetrics', async () => {
    for (const contentType of [Registry.PROMETHEUS_CONTENT_TYPE, Registry.OPENMETRICS_CONTENT_TYPE] as const) {
      const pair = registries(contentType);
      const { prom, fast } = counters(pair);
      prom.labels('Idle', 'query', 'ok').inc(0);
      fast.cell('Idle', 'query', 'ok');
      LABEL_SETS.forEach(([operation, type], set) => {
        const outcome = set % 2 === 0 ? 'ok' : 'FORBIDDEN';
        prom.labels(operation, type, outcome).inc();
        fast.cell(operation, type, outcome).inc();
        prom.labels(operation, type, outcome).inc(set);
        fast.cell(operation, type, outcome).inc(set);
      });
      const text = await expectSameExport(pair);
      expect(text.endsWith('# EOF\n')).toBe(contentType === Registry.OPENMETRICS_CONTENT_TYPE);
    }
  });

  it('empty metrics and reset metrics render the same', async () => {
    const pair = registries();
    const histogram = histograms(pair);
    const counter = counters(pair);
    await expectSameExport(pair);
    histogram.prom.labels('A', 'query').observe(1);
    histogram.fast.cell('A', 'query').observe(1);
    counter.prom.labels('A', 'query', 'ok').inc();
    counter.fast.cell('A', 'query', 'ok').inc();
    pair.prom.resetMetrics();
    pair.fast.resetMetrics();
    await expectSameExport(pair);
    histogram.prom.labels('B', 'mutation').observe(0.02);
    histogram.fast.cell('B', 'mutation').observe(0.02);
    await expectSameExport(pair);
  });

  it('ignores a value that is not a finite number (prom-client would throw into the request)', async () => {
    const pair = registries();
    const { prom, fast } = histograms(pair);
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) fast.cell('A', 'query').observe(value);
    // prom-client never shows the label set either: its observe throws before creating it.
    expect(() => prom.labels('A', 'query').observe(Number.NaN)).toThrow(TypeError);
    expect(fast.cell('A', 'query').count).toBe(0);
    fast.cell('A', 'query').observe(0.5);
    prom.labels('A', 'query').observe(0.5);
    await expectSameExport(pair);
  });

  it('refuses bad configurations and a label set with too few values', () => {
    const registers = [new Registry()];
    expect(() => new FastCounter({ name: 'a_total', help: 'a', labelNames: [], registers })).toThrow(/1 to 3 labels/);
    expect(() => new FastCounter({ name: 'b_total', help: 'b', labelNames: ['w', 'x', 'y', 'z'], registers })).toThrow(/1 to 3 labels/);
    expect(() => new FastHistogram({ name: 'c_seconds', help: 'c', labelNames: ['le'], buckets: [1], registers })).toThrow(/reserved/);
    expect(() => new FastHistogram({ name: 'd_seconds', help: 'd', labelNames: ['x'], buckets: [1, 1], registers })).toThrow(/ascend/);
    // A refused metric is not left in the registry.
    expect(registers[0]?.getSingleMetric('c_seconds')).toBeUndefined();
    const counter = new FastCounter({ name: 'e_total', help: 'e', labelNames: ['x', 'y'], registers });
    expect(() => counter.cell('only-one')).toThrow(/no value for label y/);
  });

  it('a label set resolves to the same cell every time (nothing allocated per update)', () => {
    const counter = new FastCounter({ name: 'f_total', help: 'f', labelNames: ['x', 'y', 'z'], registers: [] });
    const cell = counter.cell('a', 'b', 'c');
    expect(counter.cell('a', 'b', 'c')).toBe(cell);
    expect(counter.cell('a', 'b', 'd')).not.toBe(cell);
    // Built strings equal to the first ones find the same cell (Map keys compare by value).
    expect(counter.cell(['a'].join(''), `${'b'}`, 'c'.repeat(1))).toBe(cell);
  });
});
