import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallbackIngestor } from '../../src/callbacks/ingest.ts';
import { normaliseExtensionStatus } from '../../src/callbacks/schemas.ts';
import { UnavailableReason, UpstreamUnavailableError } from '../../src/errors.ts';
import { createEventFeed } from '../../src/events/feed.ts';
import { type PubSub, createPubSub } from '../../src/events/pubsub.ts';
import { createQueueMembership, forgetQueueMembers, queueMembershipOf } from '../../src/events/queue-membership.ts';
import { createReconciler } from '../../src/events/reconcile.ts';
import { createEventPruner } from '../../src/events/retention.ts';
import { recordTaskChange } from '../../src/events/task-changes.ts';
import type { GatewayEvent } from '../../src/events/types.ts';
import { createLogger } from '../../src/logger.ts';
import { type EventRepository, type Store } from '../../src/store/index.ts';
import type { SipClient } from '../../src/upstream/sip/client.ts';
import { SipCode } from '../../src/upstream/sip/codes.ts';
import type { ExtensionCallStatus } from '../../src/upstream/sip/types.ts';
import { EXTENSION_STATUS_COMMON } from '../utils/callback-seeds.ts';
import { type Deferred, createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';
import { recordingLogger } from '../utils/recording-logger.ts';
import { rejectionOf } from '../utils/rejection.ts';
import { replacing } from '../utils/store-spy.ts';
import { openEventStore, storeAgentEvent } from '../utils/event-stack.ts';

/**
 * The event layer's background work when its dependencies fail (src/events/): the pruner (bad settings, a failing
 * scheduled run, stop during a run), the reconciler (a PBX that does not answer, a pass while nobody listens), the
 * gateway's own task-status events (a store that cannot append), queue membership (a first read that fails), the
 * event feed (wakes during a read, a wake before the position is known, the poll) and the in-process pub/sub after
 * close. Failures are injected into the store, the SIP client or the ingestor; the code under test is real.
 */

const DAY = 86_400_000;

describe('event background work when things fail', () => {
  const disposer = createDisposer();
  let store: Store;
  let pubsub: PubSub;

  beforeEach(async () => {
    ({ store, pubsub } = await openEventStore(disposer));
  });
  afterEach(() => disposer.dispose());

  const storeEvent = (extension = '8001') => storeAgentEvent(store, { extension, status: 'ring' });

  describe('pruner', () => {
    it('refuses a retention or an interval that is not positive', () => {
      const logger = createLogger('silent');
      expect(() => createEventPruner({ store, logger, retentionDays: 0, intervalMs: 1_000 })).toThrow(new RangeError('retentionDays must be positive'));
      expect(() => createEventPruner({ store, logger, retentionDays: Number.NaN, intervalMs: 1_000 })).toThrow(RangeError);
      expect(() => createEventPruner({ store, logger, retentionDays: 30, intervalMs: 0 })).toThrow(new RangeError('intervalMs must be positive'));
    });

    it('a scheduled run that fails is logged, and the next interval runs again and prunes', async () => {
      const log = recordingLogger();
      for (let i = 0; i < 4; i++) await storeEvent();
      let calls = 0;
      const second = createDeferred();
      const events = replacing<EventRepository>(store.events, {
        prune: async (...args: Parameters<EventRepository['prune']>) => {
          calls += 1;
          if (calls === 1) throw new Error('canceling statement due to lock timeout');
          const deleted = await store.events.prune(...args);
          if (deleted === 0) second.resolve();
          return deleted;
        },
      });
      const pruner = createEventPruner({
        store: replacing<Store>(store, { events }),
        logger: log.logger,
        retentionDays: 1,
        intervalMs: 20,
        now: () => Date.now() + 2 * DAY,
        batchSize: 2,
      });
      disposer.add(() => pruner.stop());
      pruner.start();
      pruner.start(); // a second start adds no timers
      expect(await log.line('pruning failed')).toContain('WARN  events: pruning failed; next run in one interval');
      expect(await log.line('canceling statement')).toContain('canceling statement due to lock timeout');
      await second.promise;
      // The newest event of the topic is kept; three deleted, over batches of two.
      const pruned = await log.line('events: pruned');
      expect(pruned).toMatch(/INFO {2}events: pruned 3 event\(s\) received before \S+ \(1 days\) in \d+ ms, 3 batch\(es\), slowest \d+ ms/);
      expect(await store.events.bounds('agent-status')).toMatchObject({ prunedThrough: 3, oldestId: 4, newestId: 4 });
    });

    it('stop() during a run waits for its batch and ends it; runOnce joins a run in progress', async () => {
      const log = recordingLogger();
      for (let i = 0; i < 5; i++) await storeEvent();
      const entered = createDeferred();
      const release = createDeferred();
      let calls = 0;
      const events = replacing<EventRepository>(store.events, {
        prune: async (...args: Parameters<EventRepository['prune']>) => {
          calls += 1;
          entered.resolve();
          await release.promise;
          return store.events.prune(...args);
        },
      });
      const pruner = createEventPruner({ store: replacing<Store>(store, { events }), logger: log.logger, retentionDays: 1, intervalMs: 600_000, now: () => Date.now() + 2 * DAY, batchSize: 1 });
      const run = pruner.runOnce();
      expect(pruner.runOnce()).toBe(run);
      await entered.promise;
      let stopped = false;
      const stopping = pruner.stop().then(() => (stopped = true));
      await Promise.resolve();
      expect(stopped).toBe(false);
      release.resolve();
      await stopping;
      // One batch of one, then the stopped loop ends.
      expect(await run).toBe(1);
      expect(calls).toBe(1);
      expect(log.lines.filter((l) => l.includes('events: pruned 1 event(s)'))).toHaveLength(1);
    });

    it('runOnce() throws what the store threw, and a run that deleted nothing logs nothing', async () => {
      const log = recordingLogger();
      const failing = replacing<EventRepository>(store.events, {
        prune: async () => {
          throw new Error('disk full');
        },
      });
      const pruner = createEventPruner({ store: replacing<Store>(store, { events: failing }), logger: log.logger, retentionDays: 30, intervalMs: 1_000 });
      expect(((await rejectionOf(() => pruner.runOnce())) as Error).message).toBe('disk full');
      const quiet = createEventPruner({ store, logger: log.logger, retentionDays: 30, intervalMs: 1_000 });
      expect(await quiet.runOnce()).toBe(0);
      expect(log.lines).toEqual([]);
    });
  });

  describe('reconciler', () => {
    function statusOf(extension: string, status: SipCode): ExtensionCallStatus {
      return { extension, status: { value: status } as never, caller: null, callee: null, displayNumber: null, direction: null, channel: null, idleSeconds: null, talkSeconds: null };
    }

    it('a PBX that does not answer fails the pass (logged by the timer), and the next pass corrects the agent', async () => {
      const log = recordingLogger();
      const ingestor = createCallbackIngestor({ store, pubsub, logger: log.logger });
      disposer.add(() => ingestor.close());
      await ingestor.ingest(normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, extnumber: '8001', uuid: 'rc-1', status: 'answer', starttime: '1700000000' }));
      // The customer leg of a call the callback told little about: the hang-up is made from what is known.
      await ingestor.ingest(normaliseExtensionStatus({ extnumber: '8003', uuid: 'rc-3', status: 'answer', starttime: '1700000000', isbleg: 'true' }));
      let pbxDown = true;
      const asked: string[][] = [];
      const sip = {
        async getCallStatuses(extensions: readonly string[]) {
          asked.push([...extensions]);
          if (pbxDown) throw new UpstreamUnavailableError({ upstream: 'sip', operation: 'GetSipCallStatus' }, UnavailableReason.Timeout, 'no answer within 10000 ms');
          return extensions.map((e) => statusOf(e, SipCode.ExtensionIdle));
        },
      } as unknown as SipClient;
      const reconciler = createReconciler({ store, sip, ingestor, logger: log.logger, intervalMs: 10, graceMs: 15_000, now: () => Date.now() + 60_000 });
      disposer.add(() => reconciler.stop());

      const published = createDeferred<GatewayEvent>();
      disposer.add(pubsub.subscribe('agent-status', (event) => published.resolve(event as GatewayEvent)));
      reconciler.start(() => true);
      reconciler.start(() => true); // no second timer
      expect(await log.line('reconcile failed')).toContain('WARN  reconcile failed; next pass later');
      pbxDown = false;
      const event = await published.promise;
      expect(event).toMatchObject({ topic: 'agent-status', subject: '8001', applied: true, payload: { status: 'hangup', source: 'reconcile' } });
      expect(await log.line('reconcile: 2 agent(s)')).toContain('INFO  reconcile: 2 agent(s) the PBX reports free were marked hung up');
      expect(asked[0]?.sort()).toEqual(['8001', '8003']);
      expect(await store.agentStatus.get('8003')).toMatchObject({ extension: '8003', status: 'hangup' });
      const [hangup] = (await store.events.eventsAfter('agent-status', 0, { subjects: ['8003'] })).filter((e) => e.payload.status === 'hangup');
      expect(hangup?.payload).toMatchObject({ extension: '8003', leg: 'customer', bUuid: null, caller: null, callMethod: null, source: 'reconcile' });
      reconciler.stop();
      // Nobody is busy any more: a pass asks nothing and corrects nothing.
      const before = asked.length;
      expect(await reconciler.run()).toBe(0);
      expect(asked.length).toBe(before);
      // With the default 15 s grace and the real clock, an agent that just started a call is not asked about.
      await ingestor.ingest(normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, extnumber: '8004', uuid: 'rc-4', status: 'ring', starttime: '1700000000' }));
      expect(await createReconciler({ store, sip, ingestor, logger: log.logger }).run()).toBe(0);
      expect(asked.length).toBe(before);
    });

    it('an agent the PBX still reports busy is left alone; a pass while nobody listens does not run', async () => {
      const log = recordingLogger();
      const ingestor = createCallbackIngestor({ store, pubsub, logger: log.logger });
      disposer.add(() => ingestor.close());
      await ingestor.ingest(normaliseExtensionStatus({ ...EXTENSION_STATUS_COMMON, extnumber: '8002', uuid: 'rc-2', status: 'ring', starttime: '1700000000' }));
      let calls = 0;
      const sip = {
        async getCallStatuses(extensions: readonly string[]) {
          calls += 1;
          return extensions.map((e) => statusOf(e, SipCode.ExtensionCalling));
        },
      } as unknown as SipClient;
      const reconciler = createReconciler({ store, sip, ingestor, logger: log.logger, intervalMs: 5, graceMs: 0, now: () => Date.now() + 1_000 });
      disposer.add(() => reconciler.stop());
      expect(await reconciler.run()).toBe(0);
      expect(calls).toBe(1);
      expect(await store.agentStatus.get('8002')).toMatchObject({ status: 'ring' });

      let asked = 0;
      const twice = createDeferred();
      reconciler.start(() => {
        asked += 1;
        if (asked === 2) twice.resolve();
        return false;
      });
      await twice.promise;
      expect(calls).toBe(1);
    });
  });

  describe('task-status events of the gateway’s own changes', () => {
    it('a store that cannot append is logged and the mutation still succeeds (no event)', async () => {
      const log = recordingLogger();
      const ingestor = createCallbackIngestor({
        store: replacing<Store>(store, {
          events: replacing<EventRepository>(store.events, {
            append: async () => {
              throw new Error('SQLITE_FULL: database or disk is full');
            },
          }),
        }),
        pubsub,
        logger: log.logger,
      });
      disposer.add(() => ingestor.close());
      const result = await recordTaskChange(ingestor, log.logger, { kind: 'AI', taskId: 'T9', status: 'RUNNING', key: ['NOT_STARTED', 'RUNNING', 'req-1'] });
      expect(result).toBeNull();
      const line = await log.line('could not be stored');
      expect(line).toContain('ERROR task T9: status RUNNING was set but its task-status event could not be stored');
      expect(line).toContain('SQLITE_FULL');
    });

    it('an AI task change without a previous status records previous: null, and a retry is one event', async () => {
      const log = recordingLogger();
      const ingestor = createCallbackIngestor({ store, pubsub, logger: log.logger });
      disposer.add(() => ingestor.close());
      const change = { kind: 'AI' as const, taskId: 'T10', status: 'PAUSED' as const, key: ['RUNNING', 'PAUSED', 'req|2'] };
      const first = await recordTaskChange(ingestor, log.logger, change);
      expect(first).toMatchObject({ topic: 'task-status', subject: 'T10', payload: { taskId: 'T10', status: 'PAUSED', kind: 'AI', source: 'mutation', previous: null } });
      expect(await recordTaskChange(ingestor, log.logger, change)).toBeNull();
      expect(await store.events.eventsAfter('task-status', 0)).toHaveLength(1);
    });
  });

  describe('queue membership', () => {
    it('a first read that fails: has() answers false and members() rejects; the next event reads again', async () => {
      let fail = true;
      let reads = 0;
      const sip = {
        getSeats: async ({ queue }: { queue?: string }) => {
          reads += 1;
          if (fail) throw new Error('PBX down');
          return [{ queue, extension: '8001' }, { queue: 'other', extension: '8009' }];
        },
      };
      let clock = 0;
      const membership = createQueueMembership(sip as never, { refreshMs: 100, now: () => clock });
      expect(await membership.has('q1', '8001')).toBe(false);
      expect(((await rejectionOf(() => membership.members('q1'))) as Error).message).toBe('PBX down');
      fail = false;
      clock += 100;
      expect(await membership.members('q1')).toEqual(new Set(['8001']));
      // Fresh: answered from the list, synchronously, and members() without a read.
      expect(membership.has('q1', '8009')).toBe(false);
      expect(await membership.members('q1')).toEqual(new Set(['8001']));
      expect(reads).toBe(3);
      membership.forget('never-read');
    });

    it('one cache per SIP client; forgetting queues of a client without one does nothing', async () => {
      let reads = 0;
      const sip = { getSeats: async ({ queue }: { queue?: string }) => (reads++, [{ queue, extension: '8001' }]) } as unknown as SipClient;
      forgetQueueMembers(sip, ['q1']);
      const membership = queueMembershipOf(sip, 60_000);
      expect(queueMembershipOf(sip)).toBe(membership);
      expect(await membership.has('q1', '8001')).toBe(true);
      expect(membership.has('q1', '8001')).toBe(true);
      forgetQueueMembers(sip, ['q1', 'q1']);
      expect(await membership.has('q1', '8001')).toBe(true);
      expect(reads).toBe(2);
      const other = { getSeats: sip.getSeats } as unknown as SipClient;
      expect(queueMembershipOf(other)).not.toBe(membership);
    });
  });

  describe('event feed', () => {
    it('a wake during a read makes the pump read again; a wake before the position is known is replayed after it', async () => {
      const firstLatest = createDeferred();
      const releaseLatest = createDeferred();
      const readEntered = createDeferred();
      const releaseRead = createDeferred();
      let reads = 0;
      const events = replacing<EventRepository>(store.events, {
        latestId: async (topic) => {
          firstLatest.resolve();
          await releaseLatest.promise;
          return store.events.latestId(topic);
        },
        eventsAfter: (async (...args: Parameters<EventRepository['eventsAfter']>) => {
          reads += 1;
          if (reads === 1) {
            readEntered.resolve();
            await releaseRead.promise;
          }
          return store.events.eventsAfter(...args);
        }) as EventRepository['eventsAfter'],
      });
      const feed = createEventFeed(replacing<Store>(store, { events }), pubsub, createLogger('silent'), 600_000);
      disposer.add(() => feed.close());
      expect(feed.listening('agent-status')).toBe(false);
      const received: number[] = [];
      const got = new Map<number, Deferred<void>>();
      const listening = feed.listen('agent-status', (event) => {
        received.push(event.id);
        got.get(event.id)?.resolve();
      });
      await firstLatest.promise;
      // Stored and published while the feed reads its position: the wake is remembered and replayed once the
      // position is known (that read is the one held below); the event itself is at or below the position.
      const early = await storeEvent();
      await pubsub.publish('agent-status', early);
      releaseLatest.resolve();
      const handle = await listening;
      expect(handle.from).toBe(early.id);
      await readEntered.promise;
      // A wake while that read is held: the pump reads once more after it.
      const late = await storeEvent();
      got.set(late.id, createDeferred());
      await pubsub.publish('agent-status', late);
      releaseRead.resolve();
      await got.get(late.id)?.promise;
      expect(received).toEqual([late.id]);
      expect(reads).toBe(2);
      expect(feed.listening('agent-status')).toBe(true);
      handle.close();
      expect(feed.listening('agent-status')).toBe(false);
    });

    it('the poll delivers an event whose publish was lost', async () => {
      const feed = createEventFeed(store, pubsub, createLogger('silent'), 20);
      disposer.add(() => feed.close());
      const got = createDeferred<number>();
      const handle = await feed.listen('agent-status', (event) => got.resolve(event.id));
      disposer.add(() => handle.close());
      const lost = await storeEvent();
      expect(await got.promise).toBe(lost.id);
    });
  });

  describe('in-process pub/sub', () => {
    it('is what createPubSub gives without a Redis URL; after close, subscribe does nothing and ping fails', async () => {
      const own = await createPubSub({ redisUrl: null });
      expect(own.kind).toBe('memory');
      await own.ping();
      await own.publish('task-status', (await storeEvent()) as never);
      await own.close();
      const unsubscribe = own.subscribe('agent-status', () => undefined);
      unsubscribe();
      expect(own.subscriberCount('agent-status')).toBe(0);
      await expect(own.ping()).rejects.toThrow('pub/sub closed');
    });
  });
});
