import { outsideOperation } from '../upstream/budget.ts';
import type { SipClient } from '../upstream/sip/client.ts';

/**
 * Who sits in a queue now, for `agentStatusChanged(queue:)`: membership that follows check-ins and check-outs made after
 * a subscription started, at a bounded cost.
 *
 * One cache per SIP client (that is, per gateway process), shared by every subscriber of every queue. A queue's
 * members are read with one GetQueueSipStatus, and read again at most once per `refreshMs` (per queue, per process):
 * an event is judged by the known list while it is younger than `refreshMs`; after that, the first event re-reads it
 * (the events meanwhile wait for that one read, in order), so a check-in or check-out is seen at most `refreshMs` late.
 * The PBX sees at most one GetQueueSipStatus per queue per `refreshMs` whatever the number of subscribers, and none
 * while no event comes. A failed read keeps the last list (none: nothing matches) and is tried again after `refreshMs`.
 */
export interface QueueMembership {
  /** The queue's members (read now unless a read younger than `refreshMs` is known). */
  members(queue: string): Promise<ReadonlySet<string>>;
  /** Whether `extension` sits in `queue`: synchronous when the known list answers. */
  has(queue: string, extension: string): boolean | Promise<boolean>;
  /**
   * This gateway just checked someone in to or out of `queue`: the next event re-reads the members, so the change
   * shows at once here (other replicas see it within `refreshMs`, as they do a change made on the PBX's console).
   */
  forget(queue: string): void;
}

/** Default: how old a queue's member list may be before an event of a non-member re-reads it. */
export const QUEUE_MEMBERSHIP_REFRESH_MS = 5_000;

interface Entry {
  members: ReadonlySet<string> | null;
  /** When the last read started (ms); 0 before any. */
  readAt: number;
  inFlight: Promise<ReadonlySet<string>> | null;
}

export function createQueueMembership(
  sip: Pick<SipClient, 'getSeats'>,
  options: { refreshMs?: number; now?: () => number } = {},
): QueueMembership {
  const refreshMs = options.refreshMs ?? QUEUE_MEMBERSHIP_REFRESH_MS;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  const entryOf = (queue: string): Entry => {
    let entry = entries.get(queue);
    if (!entry) {
      entry = { members: null, readAt: 0, inFlight: null };
      entries.set(queue, entry);
    }
    return entry;
  };

  function read(queue: string, entry: Entry): Promise<ReadonlySet<string>> {
    if (entry.inFlight) return entry.inFlight;
    entry.readAt = now();
    // Shared by every subscriber of the queue: outside any one operation's upstream budget.
    const promise = outsideOperation(() => sip.getSeats({ queue })).then(
      (seats) => {
        const members = new Set(seats.filter((seat) => seat.queue === queue).map((seat) => seat.extension));
        entry.members = members;
        return members;
      },
      (error: unknown) => {
        if (entry.members) return entry.members;
        throw error;
      },
    );
    entry.inFlight = promise.finally(() => {
      entry.inFlight = null;
    });
    return entry.inFlight;
  }

  const stale = (entry: Entry) => now() - entry.readAt >= refreshMs;

  return {
    members(queue) {
      const entry = entryOf(queue);
      if (entry.members && !stale(entry) && !entry.inFlight) return Promise.resolve(entry.members);
      return read(queue, entry);
    },
    has(queue, extension) {
      const entry = entryOf(queue);
      // A read in flight is newer than the list: wait for it, as the event that started it does.
      if (entry.members && !stale(entry) && !entry.inFlight) return entry.members.has(extension);
      return read(queue, entry).then(
        (members) => members.has(extension),
        () => false,
      );
    },
    forget(queue) {
      const entry = entries.get(queue);
      if (entry) entry.readAt = Number.NEGATIVE_INFINITY;
    },
  };
}

const shared = new WeakMap<object, QueueMembership>();

/** The process's cache for this SIP client (one per gateway). */
export function queueMembershipOf(sip: SipClient, refreshMs?: number): QueueMembership {
  let membership = shared.get(sip);
  if (!membership) {
    membership = createQueueMembership(sip, refreshMs === undefined ? {} : { refreshMs });
    shared.set(sip, membership);
  }
  return membership;
}

/** A check-in or check-out through this gateway: these queues' members are re-read on their next event (if watched). */
export function forgetQueueMembers(sip: SipClient, queues: Iterable<string>): void {
  const membership = shared.get(sip);
  if (!membership) return;
  for (const queue of new Set(queues)) membership.forget(queue);
}
