import { AssignType, ExtGroupMemberState, QueueStrategy, SipCode } from '../../upstream/sip/codes.ts';
import type { Rng } from '../rng.ts';
import { type Extension, ExtensionCallState, type PredictiveTask, type Queue, type Seat } from '../sip/model.ts';
import type { SipState } from '../sip/state.ts';

/** An agent a predictive call may ring: an extension, with its seat when the task dials for a queue. */
export interface Candidate {
  readonly extnumber: string;
  readonly queue: Queue | null;
  readonly seat: Seat | null;
}

/**
 * Who can take a predictive call right now, and whom to ring by the queue's strategy. An agent is free when its
 * extension is enabled, registered, idle (not ringing or on any call, predictive or not) and out of wrap-up; a queue
 * seat must also be signed in, not paused ("show busy") and waiting (1213: not resting after a missed offer); an
 * extension-group member must be marked idle in an enabled group.
 */
export class AgentPool {
  /** Extension → when its wrap-up after a call ends (ms). */
  readonly #wrapUntil = new Map<string, number>();
  /** `queue\next` → talk seconds on calls from that queue (strategy 2). */
  readonly #talkSeconds = new Map<string, number>();
  /** Queue → the extension rung last (strategy 4). */
  readonly #lastRung = new Map<string, string>();

  constructor(
    private readonly state: SipState,
    private readonly rng: Rng,
    private readonly now: () => number,
  ) {}

  isFree(extnumber: string): boolean {
    const extension = this.state.extensions.get(extnumber);
    return !!extension && isAvailable(extension) && (this.#wrapUntil.get(extnumber) ?? 0) <= this.now();
  }

  /** The free agents of a task's target, in the target's own order (seat sign-in order, group member order). */
  freeAgents(task: PredictiveTask): Candidate[] {
    if (task.assignType === AssignType.Extension) {
      return this.isFree(task.assignAgent) ? [{ extnumber: task.assignAgent, queue: null, seat: null }] : [];
    }
    if (task.assignType === AssignType.Queue) {
      const queue = this.state.queues.get(task.assignAgent);
      if (!queue) return [];
      return [...queue.seats.values()]
        .filter((seat) => !seat.paused && seat.state === SipCode.SeatWaiting && this.isFree(seat.extnumber))
        .map((seat) => ({ extnumber: seat.extnumber, queue, seat }));
    }
    const group = this.state.extGroups.get(task.assignAgent);
    if (!group?.enabled) return [];
    return [...group.members.values()]
      .filter((member) => member.state === ExtGroupMemberState.Idle && this.isFree(member.extnumber))
      .map((member) => ({ extnumber: member.extnumber, queue: null, seat: null }));
  }

  /**
   * The agents to ring for one call, leaving out those who already let it ring out: one agent chosen by the queue's
   * strategy (ring-all: every free seat); for an extension group, the member idle longest. Empty when none is free.
   */
  choose(task: PredictiveTask, exclude: ReadonlySet<string>): Candidate[] {
    const free = this.freeAgents(task).filter((c) => !exclude.has(c.extnumber));
    if (free.length === 0) return [];
    const queue = free[0]?.queue;
    if (!queue) return [this.#longestIdle(free)];
    switch (queue.strategy) {
      case QueueStrategy.RingAll:
        return free;
      case QueueStrategy.ShortestTalkTime:
        return [this.#minBy(free, (c) => this.#talkSeconds.get(talkKey(queue.name, c.extnumber)) ?? 0)];
      case QueueStrategy.RoundRobin:
        return [this.#roundRobin(queue, free)];
      case QueueStrategy.Random:
        return [this.rng.pick(free)];
      case QueueStrategy.FewestAnswered:
        return [this.#minBy(free, (c) => c.seat?.callsAnswered ?? 0)];
      case QueueStrategy.Sequential:
      case QueueStrategy.Priority: // the API has no seat priority: sign-in order stands for it
        return [free[0] as Candidate];
      default:
        return [this.#longestIdle(free)];
    }
  }

  /** Remembers whom a queue rang (round robin goes on from there). */
  noteRung(queueName: string, extnumber: string): void {
    this.#lastRung.set(queueName, extnumber);
  }

  noteTalk(queueName: string, extnumber: string, seconds: number): void {
    const key = talkKey(queueName, extnumber);
    this.#talkSeconds.set(key, (this.#talkSeconds.get(key) ?? 0) + seconds);
  }

  /** The agent is not offered calls before `until` (ms). */
  wrapUp(extnumber: string, until: number): void {
    if (until > this.now()) this.#wrapUntil.set(extnumber, until);
    else this.#wrapUntil.delete(extnumber);
  }

  #longestIdle(free: Candidate[]): Candidate {
    return this.#minBy(free, (c) => this.state.extensions.get(c.extnumber)?.idleSince ?? 0);
  }

  /** The first candidate with the smallest key (ties keep the target's order). */
  #minBy(free: Candidate[], key: (c: Candidate) => number): Candidate {
    let best = free[0] as Candidate;
    let bestKey = key(best);
    for (const candidate of free) {
      const k = key(candidate);
      if (k < bestKey) {
        best = candidate;
        bestKey = k;
      }
    }
    return best;
  }

  /** The next free seat after the one rung last, in sign-in order, wrapping round. */
  #roundRobin(queue: Queue, free: Candidate[]): Candidate {
    const order = [...queue.seats.keys()];
    const last = this.#lastRung.get(queue.name);
    const start = last === undefined ? 0 : order.indexOf(last) + 1;
    const freeSet = new Map(free.map((c) => [c.extnumber, c]));
    for (let i = 0; i < order.length; i++) {
      const candidate = freeSet.get(order[(start + i) % order.length] as string);
      if (candidate) return candidate;
    }
    return free[0] as Candidate;
  }
}

function isAvailable(extension: Extension): boolean {
  return extension.enabled && !!extension.registration && extension.callState === ExtensionCallState.Idle;
}

const talkKey = (queueName: string, extnumber: string) => `${queueName}\n${extnumber}`;
