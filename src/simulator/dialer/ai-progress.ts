import type { ZonedTime } from '../../upstream/time.ts';
import type { AiCallSimState, SimAiCustomer, SimAiTask } from '../aicall/state.ts';
import type { TypedEmitter } from '../events.ts';
import type { Rng } from '../rng.ts';
import { DialOutcome, type OutcomeWeights, drawOutcome } from './outcomes.ts';
import { aiCallNotificationPayload } from './payloads.ts';
import type { Scheduler } from './scheduler.ts';
import type { CallbackPoster, DialerEvents } from './types.ts';

const SECOND = 1000;

export const DEFAULT_AI_OUTCOME_WEIGHTS: OutcomeWeights = {
  [DialOutcome.Answered]: 0.55,
  [DialOutcome.NoAnswer]: 0.3,
  [DialOutcome.Busy]: 0.08,
  [DialOutcome.Refused]: 0,
  [DialOutcome.Failed]: 0.07,
};

/** FreeSWITCH hang-up causes of each outcome (the AI platform's task entity shows a FreeSWITCH dial plan). */
const HANGUP_CAUSES: Readonly<Record<DialOutcome, string>> = {
  [DialOutcome.Answered]: 'NORMAL_CLEARING',
  [DialOutcome.NoAnswer]: 'NO_ANSWER',
  [DialOutcome.Busy]: 'USER_BUSY',
  [DialOutcome.Refused]: 'CALL_REJECTED',
  [DialOutcome.Failed]: 'NORMAL_TEMPORARY_FAILURE',
};

export interface AiProgressEnv {
  state: AiCallSimState;
  rng: Rng;
  now(): number;
  time: ZonedTime;
  scheduler: Scheduler;
  events: TypedEmitter<DialerEvents>;
  poster: CallbackPoster;
  outcomes: OutcomeWeights;
}

/**
 * Running AI tasks work through their customers: up to `maximumcall` calls at once, a line freed by a call is used
 * again `call_pause_second` later; taking a customer moves the task's progress (`takeNextCustomer`). Each call ends
 * with a hang-up notification to the task's `call_notify_url`, else to `<callback base>/aicall-notify`. A task whose
 * customers are all dialled stays as it is (the seed defines no "finished" state for AI tasks): progress 100 %.
 */
export class AiProgress {
  /** Task → calls in progress. */
  readonly #live = new Map<string, number>();
  /** Task → when lines freed by ended calls may dial again (ms). */
  readonly #cooling = new Map<string, number[]>();

  constructor(private readonly env: AiProgressEnv) {}

  get liveCount(): number {
    let count = 0;
    for (const n of this.#live.values()) count += n;
    return count;
  }

  pace(): void {
    const now = this.env.now();
    for (const task of this.env.state.tasks.values()) {
      if (!task.running) continue;
      const cooling = (this.#cooling.get(task.uuid) ?? []).filter((at) => at > now);
      this.#cooling.set(task.uuid, cooling);
      let busy = (this.#live.get(task.uuid) ?? 0) + cooling.length;
      while (busy < task.maximumcall && task.dialled < task.customers.length) {
        const customer = this.env.state.takeNextCustomer(task.uuid);
        if (!customer) break;
        this.#call(task, customer);
        busy += 1;
      }
    }
  }

  #call(task: SimAiTask, customer: SimAiCustomer): void {
    const { env } = this;
    const startedAt = env.now();
    const snapshot = { uuid: task.uuid, name: task.name, callerNumber: task.callerNumber, notifyUrl: task.notifyUrl };
    const pauseSeconds = Math.max(0, task.callPauseSecond);
    const callUuid = env.rng.uuid();
    const outcome = drawOutcome(env.rng, env.outcomes);
    let ring: number;
    let talk = 0;
    if (outcome === DialOutcome.Answered) {
      ring = env.rng.int(3, 15);
      talk = env.rng.int(15, 150);
    } else if (outcome === DialOutcome.NoAnswer) {
      ring = Math.min(60, Math.max(10, task.originateTimeout || 60));
    } else if (outcome === DialOutcome.Failed) {
      ring = env.rng.int(0, 2);
    } else {
      ring = env.rng.int(1, 10);
    }
    this.#live.set(task.uuid, (this.#live.get(task.uuid) ?? 0) + 1);
    const answeredAt = outcome === DialOutcome.Answered ? startedAt + ring * SECOND : null;
    const endedAt = startedAt + (ring + talk) * SECOND;

    env.scheduler.at(endedAt, () => {
      this.#live.set(snapshot.uuid, Math.max(0, (this.#live.get(snapshot.uuid) ?? 1) - 1));
      if (pauseSeconds > 0) {
        const ready = endedAt + pauseSeconds * SECOND;
        this.#cooling.set(snapshot.uuid, [...(this.#cooling.get(snapshot.uuid) ?? []), ready]);
        env.scheduler.at(ready, () => undefined); // wakes the pacing when the line is free again
      }
      const payload = aiCallNotificationPayload(
        {
          taskUuid: snapshot.uuid,
          taskName: snapshot.name,
          callUuid,
          customerId: customer.id,
          phone: customer.phone,
          callerNumber: snapshot.callerNumber,
          fields: customer.fields,
          startedAt,
          answeredAt,
          endedAt,
          hangupCause: HANGUP_CAUSES[outcome],
        },
        env.time,
      );
      env.poster.notify(snapshot.notifyUrl || null, `ai:${snapshot.uuid}`, payload);
      env.events.emit('aiCallEnded', {
        taskUuid: snapshot.uuid,
        customerId: customer.id,
        phone: customer.phone,
        outcome,
        payload,
      });
    });
  }
}
