import { randomUUID } from 'node:crypto';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PubSub, channelOf, createPubSub } from '../../src/events/pubsub.ts';
import type { GatewayEvent } from '../../src/events/types.ts';
import { type Deferred, createDeferred } from '../utils/deferred.ts';
import { createDisposer } from '../utils/disposer.ts';

/**
 * The Redis adapter's failure paths (src/events/redis.ts) against a real Redis (REDIS_URL; skipped without it):
 * messages on its channels that are not JSON or not an event of the channel's topic are dropped with a warning;
 * an outage after start is reported once (not per reconnect attempt) and again after the next recovery, a publish
 * during it rejects, ping() says not connected, and delivery resumes once Redis is back; after close(), publish and
 * subscribe do nothing and ping() fails. The outage is made with a TCP proxy in front of Redis that the test cuts.
 */

const REDIS_URL = process.env.REDIS_URL;

function event(id: number): GatewayEvent<'agent-status'> {
  return {
    id,
    topic: 'agent-status',
    subject: '8001',
    occurredAt: null,
    receivedAt: '2025-01-01T00:00:00.000Z',
    applied: true,
    payload: { extension: '8001' } as never,
    effect: null,
  };
}

/** Warnings, with a deferred per awaited fragment. */
function recordingWarnings() {
  const lines: string[] = [];
  const waiting: Array<{ fragment: string; deferred: Deferred<string>; after: number }> = [];
  const record = (message: string) => {
    lines.push(message);
    for (const w of waiting.splice(0)) {
      if (lines.length > w.after && message.includes(w.fragment)) w.deferred.resolve(message);
      else waiting.push(w);
    }
  };
  return {
    lines,
    logger: { warn: (message: string) => record(message), error: (message: string) => record(`ERROR ${message}`) },
    /** The next line containing `fragment` logged after `lines.length` was `after` (default: now). */
    next(fragment: string, after = lines.length): Promise<string> {
      const found = lines.slice(after).find((l) => l.includes(fragment));
      if (found) return Promise.resolve(found);
      const deferred = createDeferred<string>();
      waiting.push({ fragment, deferred, after });
      return deferred.promise;
    },
  };
}

/** A TCP proxy to Redis on a fixed loopback port: `cut()` drops every connection and refuses new ones until `restore()`. */
async function redisProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = connect(Number(target.port || 6379), target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => socket.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });
  await listen();
  return { url: () => `redis://127.0.0.1:${port}`, cut, restore: listen };
}

/** Polls `check` every 20 ms until it holds (the test's timeout bounds it). */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise<void>((resolve) => setTimeout(resolve, 20));
}

describe.runIf(REDIS_URL)('Redis pub/sub when things fail', () => {
  const disposer = createDisposer();
  let prefix: string;
  let raw: Redis;

  beforeEach(() => {
    prefix = `test-${randomUUID()}`;
    raw = disposer.use(new Redis(REDIS_URL as string, { lazyConnect: true }), (r) => r.disconnect());
  });
  afterEach(() => disposer.dispose());

  async function open(url: string, logger: ReturnType<typeof recordingWarnings>['logger']): Promise<PubSub> {
    return disposer.use(await createPubSub({ redisUrl: url, channelPrefix: prefix, logger }), (p) => p.close());
  }

  it('drops a message that is not JSON, and one that is not an event of its channel’s topic, and still delivers the next', async () => {
    const log = recordingWarnings();
    const pubsub = await open(REDIS_URL as string, log.logger);
    const received: number[] = [];
    const delivered = createDeferred();
    pubsub.subscribe('agent-status', (e) => {
      received.push(e.id);
      delivered.resolve();
    });
    const channel = channelOf(prefix, 'agent-status');
    await raw.publish(channel, 'not json {');
    expect(await log.next('not JSON', 0)).toBe(`Redis pub/sub: dropped a message on ${channel} that is not JSON`);
    // Valid JSON, but not an event of this channel: wrong topic, no id, a payload that is not an object, null.
    const wrong = [JSON.stringify({ ...event(1), topic: 'task-status' }), JSON.stringify({ ...event(2), id: '2' }), JSON.stringify({ ...event(3), payload: 'x' }), 'null'];
    for (const message of wrong) await raw.publish(channel, message);
    await raw.publish(channel, JSON.stringify(event(9)));
    await delivered.promise;
    expect(received).toEqual([9]);
    expect(log.lines).toEqual([
      `Redis pub/sub: dropped a message on ${channel} that is not JSON`,
      ...wrong.map(() => `Redis pub/sub: dropped a message on ${channel} that is not an event of that topic`),
    ]);
  });

  it('an outage is reported once, publish rejects and ping fails during it; after recovery it delivers again', async () => {
    const log = recordingWarnings();
    const proxy = await redisProxy(new URL(REDIS_URL as string));
    disposer.add(() => proxy.cut());
    const pubsub = await open(proxy.url(), log.logger);
    await pubsub.ping();

    await proxy.cut();
    // ioredis reconnects again and again; the outage is one warning.
    const first = await log.next('(reconnecting)', 0);
    expect(first).toMatch(/^Redis pub\/sub: .*ECONNREFUSED.* \(reconnecting\)$/);
    await expect(pubsub.ping()).rejects.toThrow('Redis pub/sub is not connected');
    await expect(pubsub.publish('agent-status', event(1))).rejects.toThrow();
    expect(log.lines.filter((l) => l.includes('(reconnecting)'))).toHaveLength(1);

    await proxy.restore();
    // Back: ping answers once both connections are ready again, and a publish goes round to the subscriber.
    // ioredis's reconnection is not observable from outside the adapter, so these two steps poll (20 ms apart).
    await until(async () => pubsub.ping().then(() => true, () => false));
    const got = createDeferred<number>();
    pubsub.subscribe('agent-status', (e) => got.resolve(e.id));
    // The subscriber may still be re-subscribing its channels: publish until one arrives.
    let id = 10;
    let arrived = false;
    void got.promise.then(() => (arrived = true));
    await until(async () => {
      if (!arrived) await pubsub.publish('agent-status', event(++id));
      return arrived;
    });
    expect(await got.promise).toBeGreaterThan(10);

    // A second outage is reported again (the first recovery reset the flag).
    const before = log.lines.length;
    await proxy.cut();
    expect(await log.next('(reconnecting)', before)).toMatch(/\(reconnecting\)$/);
  });

  it('after close(), publish and subscribe do nothing and ping fails', async () => {
    const log = recordingWarnings();
    const pubsub = await open(REDIS_URL as string, log.logger);
    await pubsub.close();
    await pubsub.close();
    const unsubscribe = pubsub.subscribe('agent-status', () => undefined);
    expect(pubsub.subscriberCount('agent-status')).toBe(0);
    unsubscribe();
    await expect(pubsub.publish('agent-status', event(1))).resolves.toBeUndefined();
    await expect(pubsub.ping()).rejects.toThrow('Redis pub/sub is not connected');
    expect(log.lines).toEqual([]);
  });
  it('without a channel prefix, uses callcentre-gateway:events:<topic>', async () => {
    const log = recordingWarnings();
    const pubsub = disposer.use(await createPubSub({ redisUrl: REDIS_URL as string, logger: log.logger }), (p) => p.close());
    // Other gateways on this Redis may use the default prefix too: wait for this test's own event.
    const mine = { ...event(1), topic: 'task-status', subject: `T-${prefix}` } as unknown as GatewayEvent<'task-status'>;
    const got = createDeferred<GatewayEvent<'task-status'>>();
    pubsub.subscribe('task-status', (e) => {
      if (e.subject === mine.subject) got.resolve(e);
    });
    await raw.publish('callcentre-gateway:events:task-status', JSON.stringify(mine));
    expect(await got.promise).toEqual(mine);
  });
});
