import { describe, expect, it } from 'vitest';
import { createSipSession } from '../../src/upstream/sip/session.ts';
import { createDeferred } from '../utils/deferred.ts';

/** The SIP token's life cycle at its edges (src/upstream/sip/session.ts), with a clock the test moves. */
describe('SIP session edges', () => {
  function session(ttlMs = 1_000, refreshMarginMs = 100) {
    let clock = 0;
    let issued = 0;
    const loggedOut: string[] = [];
    const s = createSipSession({
      login: async () => `t${++issued}`,
      logout: async (token) => {
        loggedOut.push(token);
      },
      ttlMs,
      refreshMarginMs,
      now: () => clock,
    });
    return { s, loggedOut, setClock: (ms: number) => (clock = ms) };
  }

  it('keeps the token until just before renewAt and logs in again exactly at it', async () => {
    const { s, setClock } = session(1_000, 100);
    expect(await s.token()).toBe('t1');
    setClock(899);
    expect(await s.token()).toBe('t1');
    setClock(900); // ttl − margin: the renewal point itself
    expect(await s.token()).toBe('t2');
    expect(s.loginCount).toBe(2);
  });

  it('logs in again after clear()', async () => {
    const { s } = session();
    expect(await s.token()).toBe('t1');
    s.clear();
    expect(await s.token()).toBe('t2');
    expect(s.loginCount).toBe(2);
  });

  it('renew() without options logs in again, without a logout', async () => {
    const { s, loggedOut } = session();
    expect(await s.token()).toBe('t1');
    expect(await s.renew('t1')).toBe('t2');
    expect(loggedOut).toEqual([]);
    expect(await s.renew('t2', { logoutFirst: true })).toBe('t3');
    expect(loggedOut).toEqual(['t2']);
  });

  it('a caller whose stale token was already replaced gets the replacement without a login', async () => {
    const { s } = session();
    expect(await s.token()).toBe('t1');
    expect(await s.renew('t1')).toBe('t2');
    expect(await s.renew('t1')).toBe('t2');
    expect(s.loginCount).toBe(2);
  });

  it('renewals that meet a login in flight share it', async () => {
    const gate = createDeferred();
    let issued = 0;
    const s = createSipSession({
      login: async () => {
        await gate.promise;
        return `t${++issued}`;
      },
      logout: async () => undefined,
      ttlMs: 1_000,
      refreshMarginMs: 100,
      now: () => 0,
    });
    const first = s.token();
    const renewed = s.renew('never-seen', { logoutFirst: true });
    gate.resolve();
    expect(await first).toBe('t1');
    expect(await renewed).toBe('t1');
    expect(s.loginCount).toBe(1);
  });
});
