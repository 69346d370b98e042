import { describe, expect, it } from 'vitest';
import { createSipSession } from '../../src/upstream/sip/session.ts';

/**
 * The counts the operator view and the metrics read from the SIP session: logins (every one), renewals (a token
 * replaced, refused or near its end; not the first login nor one after clear()) and when the current token was obtained.
 */
describe('SIP session counts', () => {
  function session() {
    let clock = 1_000;
    let issued = 0;
    let failNext = false;
    const s = createSipSession({
      login: async () => {
        if (failNext) {
          failNext = false;
          throw new Error('login refused');
        }
        return `t${++issued}`;
      },
      logout: async () => undefined,
      ttlMs: 1_000,
      refreshMarginMs: 100,
      now: () => clock,
    });
    return { s, setClock: (ms: number) => (clock = ms), failLogin: () => (failNext = true) };
  }

  it('starts at zero with no login time', () => {
    const { s } = session();
    expect([s.loginCount, s.renewCount, s.lastLoginAt]).toEqual([0, 0, null]);
  });

  it('counts the first login as a login only, and stamps when the token was obtained', async () => {
    const { s } = session();
    await s.token();
    expect([s.loginCount, s.renewCount, s.lastLoginAt]).toEqual([1, 0, 1_000]);
  });

  it('counts a renewal near the end of the token and after a refusal, with logoutFirst too', async () => {
    const { s, setClock } = session();
    await s.token();
    setClock(1_900);
    expect(await s.token()).toBe('t2');
    expect([s.loginCount, s.renewCount, s.lastLoginAt]).toEqual([2, 1, 1_900]);
    setClock(2_000);
    expect(await s.renew('t2')).toBe('t3');
    expect(await s.renew('t3', { logoutFirst: true })).toBe('t4');
    expect([s.loginCount, s.renewCount, s.lastLoginAt]).toEqual([4, 3, 2_000]);
    // A stale token already replaced: no login, nothing counted.
    expect(await s.renew('t2')).toBe('t4');
    expect([s.loginCount, s.renewCount]).toEqual([4, 3]);
  });

  it('does not count a login after clear() as a renewal', async () => {
    const { s } = session();
    await s.token();
    s.clear();
    await s.token();
    expect([s.loginCount, s.renewCount]).toEqual([2, 0]);
  });

  it('counts a failed attempt but keeps the login time of the token it still has', async () => {
    const { s, setClock, failLogin } = session();
    await s.token();
    setClock(1_950);
    failLogin();
    await expect(s.token()).rejects.toThrow('login refused');
    expect([s.loginCount, s.renewCount, s.lastLoginAt]).toEqual([2, 1, 1_000]);
  });
});
