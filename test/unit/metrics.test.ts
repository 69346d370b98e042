import { describe, expect, it } from 'vitest';
import { EVENT_TOPICS, type EventTopic } from '../../src/events/types.ts';
import { createLogger } from '../../src/logger.ts';
import { createGatewayMetrics, OperationTypeLabel, type StoreCounts } from '../../src/observability/metrics.ts';
import { UpstreamCallOutcome } from '../../src/upstream/http.ts';
import { parseMetrics, valueOf } from '../utils/metrics.ts';

const counts = (stored: number, pending: number) => ({
  stored: Object.fromEntries(EVENT_TOPICS.map((topic) => [topic, stored])) as Record<EventTopic, number>,
  pending,
});

function metricsWith(store: StoreCounts) {
  return createGatewayMetrics({ maxConnections: 4, store, logger: createLogger('silent'), processMetrics: false });
}

const render = async (metrics: ReturnType<typeof metricsWith>) => parseMetrics(await metrics.render());

describe('gateway metrics', () => {
  it('a failing event-store read does not fail the scrape: counted, logged, and not retried before the cache ends', async () => {
    let reads = 0;
    const metrics = metricsWith({
      counts: () => {
        reads += 1;
        return Promise.reject(new Error('database is down'));
      },
    });
    const first = await render(metrics);
    expect(valueOf(first, 'gateway_scrape_errors_total', { source: 'event_store' })).toBe(1);
    // Nothing read yet: no per-topic value (the label-less pending gauge shows its initial 0).
    expect(first.filter((s) => s.name === 'gateway_event_store_events')).toEqual([]);
    const second = await render(metrics);
    expect(reads).toBe(1);
    expect(valueOf(second, 'gateway_scrape_errors_total', { source: 'event_store' })).toBe(1);
  });

  it('event-store counts are read once per cache period, however many scrapes', async () => {
    let reads = 0;
    const metrics = metricsWith({
      counts: () => {
        reads += 1;
        return Promise.resolve(counts(3, 2));
      },
    });
    const [a, b] = await Promise.all([render(metrics), render(metrics)]);
    await render(metrics);
    expect(reads).toBe(1);
    for (const samples of [a, b]) {
      expect(valueOf(samples, 'gateway_event_store_events', { topic: 'call-record' })).toBe(3);
      expect(valueOf(samples, 'gateway_event_store_pending_events')).toBe(2);
    }
  });

  it('bounds labels: unknown SIP services, rejection codes and error codes become other', async () => {
    const metrics = metricsWith({ counts: () => Promise.resolve(counts(0, 0)) });
    const call = { upstream: 'sip' as const, operation: 'App.Not_A.Service', method: 'POST' as const };
    metrics.upstream.started(call)?.({ outcome: UpstreamCallOutcome.Answered, status: 200 });
    metrics.upstream.started({ ...call, operation: 'App.Sip_Auth.Login' })?.({ outcome: UpstreamCallOutcome.Timeout, status: null });
    metrics.upstream.rejected({ ...call, operation: 'App.Sip_Auth.Login' }, 'ret:600');
    metrics.upstream.rejected({ ...call, operation: 'App.Sip_Auth.Login' }, 'code:13900001111');
    metrics.upstream.rejected({ ...call, operation: 'App.Sip_Auth.Login' }, 'anything at all');
    metrics.operation('Fine', OperationTypeLabel.Query, 'SOMETHING_NEW', performance.now());
    metrics.operation('with spaces', OperationTypeLabel.Query, 'FORBIDDEN', performance.now());
    const samples = await render(metrics);
    expect(valueOf(samples, 'gateway_upstream_requests_total', { platform: 'sip', service: 'other', outcome: 'ok' })).toBe(1);
    expect(valueOf(samples, 'gateway_upstream_requests_total', { service: 'App.Sip_Auth.Login', outcome: 'timeout' })).toBe(1);
    const codes = samples.filter((s) => s.name === 'gateway_upstream_rejections_total').map((s) => s.labels.code);
    expect(codes.sort()).toEqual(['code:other', 'other', 'ret:600']);
    expect(valueOf(samples, 'gateway_graphql_operations_total', { operation: 'Fine', outcome: 'other' })).toBe(1);
    expect(valueOf(samples, 'gateway_graphql_operations_total', { operation: 'other', outcome: 'FORBIDDEN' })).toBe(1);
    expect(valueOf(samples, 'gateway_upstream_in_flight_requests')).toBe(0);
  });
});
