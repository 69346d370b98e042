import {
  AssignType,
  CallDirection,
  CallMethod,
  ExtensionCallEvent,
  SipCode,
} from '../../upstream/sip/codes.ts';
import type { TypedEmitter } from '../events.ts';
import type { Rng } from '../rng.ts';
import {
  type Bill,
  ExtensionCallState,
  type NewBill,
  type PredictiveTask,
  type SeatState,
  type TaskNumber,
  TaskNumberState,
  TaskStatus,
} from '../sip/model.ts';
import { channelOf } from '../sip/seed.ts';
import type { SipState } from '../sip/state.ts';
import type { AgentPool, Candidate } from './agents.ts';
import {
  DEFAULT_NO_ANSWER_SECONDS,
  DialOutcome,
  NO_ANSWER_REST_SECONDS,
  type OutcomeWeights,
  agentRingSeconds,
  customerRingSeconds,
  drawOutcome,
  patienceSeconds,
  talkHangupDirection,
  talkSeconds,
  unansweredEnd,
  userKey,
} from './outcomes.ts';
import { CallbackKind, extensionStatusPayload, taskStatusPayload } from './payloads.ts';
import type { ScheduledAction, Scheduler } from './scheduler.ts';
import type { CallEnd, CallbackPoster, DialerEvents } from './types.ts';

/** The demo's recording server (the same address the seeded call records carry). */
export const RECORDING_DOWNLOAD_IP = '10.90.24.1';
const SECOND = 1000;

export interface PredictiveEnv {
  state: SipState;
  rng: Rng;
  now(): number;
  scheduler: Scheduler;
  agents: AgentPool;
  events: TypedEmitter<DialerEvents>;
  poster: CallbackPoster;
  /** Renders a bill as the call-record callback. */
  recordPayload(bill: Bill): Record<string, unknown>;
  outcomes: OutcomeWeights;
  agentAnswerRate: number;
}

enum Phase {
  /** The customer's phone rings. */
  Dialling = 'dialling',
  /** The customer answered and waits for a free agent. */
  Waiting = 'waiting',
  /** Agents' extensions ring. */
  Offering = 'offering',
  Talking = 'talking',
}

interface PredictiveCall {
  readonly uuid: string;
  /** The customer leg's uuid (`buuid` of the extension callbacks). */
  readonly buuid: string;
  readonly task: PredictiveTask;
  readonly number: TaskNumber;
  readonly target: string;
  readonly disnumber: string;
  readonly startedAt: number;
  phase: Phase;
  customerAnsweredAt: number | null;
  ringing: Candidate[];
  /** Extensions that let this call ring out: not offered it again. */
  readonly missed: Set<string>;
  agent: Candidate | null;
  answeredAt: number | null;
  patience: ScheduledAction | null;
  /** The customer's patience ran out while agents were ringing: hang up unless one answers. */
  gaveUp: boolean;
  /** The lane of the call record: the last agent rung, else the call's own. */
  lane: string;
  /** When each agent's extension started ringing with this call: its leg's `starttime` in the extension callbacks. */
  readonly offeredAt: Map<string, number>;
}

const targetOf = (task: PredictiveTask) => `${task.assignType}:${task.assignAgent}`;
const extensionLane = (extnumber: string) => `ext:${extnumber}`;

/**
 * The predictive dialer: running tasks dial their due numbers at the pace the task's ratio and the free agents
 * allow; a call the customer answers waits for a free agent, rings the agent(s) chosen by the strategy, is answered
 * and talks; every call ends with a bill (GetBill) and a call-record callback, agent legs with ring/answer/hangup
 * callbacks. All of it runs on the scheduler, in simulated time, drawing from the dialer's seeded generator.
 */
export class PredictiveDialer {
  readonly #live = new Map<string, PredictiveCall>();
  /** Customers who answered and wait for an agent, in the order they answered. */
  #waiting: PredictiveCall[] = [];
  /** Task → index of its first number that may still be pending (all before it are dialled or being dialled). */
  readonly #cursor = new Map<string, number>();
  /** Tasks that went over with calls still live: their status callback waits for the last one. */
  readonly #overPending = new Set<string>();
  readonly #statusPosted = new Set<string>();

  constructor(private readonly env: PredictiveEnv) {}

  get liveCount(): number {
    return this.#live.size;
  }

  /** A view of the calls in progress (for tests and the docs' examples). */
  liveCalls(): { uuid: string; taskId: string; phone: string; phase: string; extnumber: string | null }[] {
    return [...this.#live.values()].map((call) => ({
      uuid: call.uuid,
      taskId: call.task.id,
      phone: call.number.phone,
      phase: call.phase,
      extnumber: call.agent?.extnumber ?? call.ringing[0]?.extnumber ?? null,
    }));
  }

  /** True while a running task still has numbers to dial (some may be due later): the engine keeps a 1 s beat. */
  hasPendingWork(): boolean {
    for (const task of this.env.state.tasks.values()) {
      if (task.status === TaskStatus.Running && this.#firstPending(task) < task.numbers.length) return true;
    }
    return false;
  }

  /** Offers waiting customers to free agents, dials what the pacing allows, and finishes tasks that are done. */
  pace(): void {
    this.#offerWaiting();
    const { state } = this.env;
    const nowSeconds = Math.floor(this.env.now() / SECOND);
    for (const task of state.tasks.values()) {
      if (task.status !== TaskStatus.Running) continue;
      const idleAgents = this.env.agents.freeAgents(task).length;
      const limit = Math.floor((idleAgents * task.scale.calls) / task.scale.agents);
      let inFlight = this.#inFlight(targetOf(task));
      if (inFlight < limit) {
        for (const number of this.#due(task, limit - inFlight, nowSeconds)) {
          inFlight += 1;
          this.#dial(task, number, { idleAgents, inFlight, limit });
        }
      }
    }
    for (const task of state.tasks.values()) {
      if (task.status !== TaskStatus.Running || task.numbers.length === 0) continue;
      if (this.#firstPending(task) >= task.numbers.length && !this.#hasLiveCalls(task.id)) {
        state.setTaskStatus(task.id, TaskStatus.Over); // → onTaskOver through the state's event
      }
    }
  }

  /** A task went over (finished here, or ended by TaskSet): its status callback, once, after its live calls. */
  onTaskOver(task: PredictiveTask): void {
    if (this.#statusPosted.has(task.id)) return;
    if (this.#hasLiveCalls(task.id)) {
      this.#overPending.add(task.id);
      return;
    }
    this.#postTaskStatus(task.id);
  }

  // ---- dialling ---------------------------------------------------------------------------------------------

  #dial(task: PredictiveTask, number: TaskNumber, pacing: { idleAgents: number; inFlight: number; limit: number }) {
    const { env } = this;
    const at = env.now();
    env.state.setTaskNumberState(task.id, number.seq, TaskNumberState.Dialling);
    const call: PredictiveCall = {
      uuid: env.rng.uuid(),
      buuid: env.rng.uuid(),
      task,
      number,
      target: targetOf(task),
      disnumber: this.#callerNumber(task),
      startedAt: at,
      phase: Phase.Dialling,
      customerAnsweredAt: null,
      ringing: [],
      missed: new Set(),
      agent: null,
      answeredAt: null,
      patience: null,
      gaveUp: false,
      lane: '',
      offeredAt: new Map(),
    };
    call.lane = `call:${call.uuid}`;
    this.#live.set(call.uuid, call);
    env.events.emit('dialStarted', { taskId: task.id, uuid: call.uuid, seq: number.seq, phone: number.phone, at, ...pacing });

    const outcome = drawOutcome(env.rng, env.outcomes);
    if (outcome === DialOutcome.Answered) {
      env.scheduler.at(at + customerRingSeconds(env.rng) * SECOND, () => this.#customerAnswered(call));
      return;
    }
    const end = unansweredEnd(env.rng, outcome);
    env.scheduler.at(at + end.seconds * SECOND, () =>
      this.#finish(call, outcome, this.#unansweredBill(call, at + end.seconds * SECOND, end.cause, end.direction)),
    );
  }

  #callerNumber(task: PredictiveTask): string {
    if (task.callerNumbers.length > 0) return this.env.rng.pick(task.callerNumbers);
    const enabled = [...this.env.state.callerNumbers.values()].filter((n) => n.enabled).map((n) => n.number);
    return enabled.length > 0 ? this.env.rng.pick(enabled) : '';
  }

  #customerAnswered(call: PredictiveCall): void {
    const at = this.env.now();
    call.phase = Phase.Waiting;
    call.customerAnsweredAt = at;
    this.#waiting.push(call);
    const queue = call.task.assignType === AssignType.Queue ? this.env.state.queues.get(call.task.assignAgent) : null;
    const maxWait = queue && queue.maxwaittime > 0 ? queue.maxwaittime : Infinity;
    const patience = Math.min(patienceSeconds(this.env.rng), maxWait);
    call.patience = this.env.scheduler.at(at + patience * SECOND, () => this.#patienceOver(call));
  }

  // ---- offering to agents -----------------------------------------------------------------------------------

  #offerWaiting(): void {
    if (this.#waiting.length === 0) return;
    for (const call of [...this.#waiting]) {
      if (call.phase !== Phase.Waiting) continue;
      const agents = this.env.agents.choose(call.task, call.missed);
      if (agents.length > 0) this.#offer(call, agents);
    }
  }

  #offer(call: PredictiveCall, agents: Candidate[]): void {
    const { env } = this;
    const at = env.now();
    this.#waiting = this.#waiting.filter((c) => c !== call);
    call.phase = Phase.Offering;
    call.ringing = agents;
    for (const agent of agents) this.#ring(call, agent, at);
    const lastRung = agents[agents.length - 1] as Candidate;
    call.lane = extensionLane(lastRung.extnumber);

    // Every agent draws, in order: the quickest of those who pick up answers; the others are released.
    let winner: Candidate | null = null;
    let winnerSeconds = Infinity;
    for (const agent of agents) {
      if (!env.rng.chance(env.agentAnswerRate)) continue;
      const seconds = agentRingSeconds(env.rng);
      if (seconds < winnerSeconds) {
        winner = agent;
        winnerSeconds = seconds;
      }
    }
    if (winner) {
      const answering = winner;
      env.scheduler.at(at + winnerSeconds * SECOND, () => this.#agentAnswered(call, answering));
      return;
    }
    const queue = agents[0]?.queue;
    const ringOut = queue && queue.ringdelay > 0 ? Math.min(queue.ringdelay, 60) : DEFAULT_NO_ANSWER_SECONDS;
    env.scheduler.at(at + ringOut * SECOND, () => this.#rangOut(call));
  }

  #ring(call: PredictiveCall, agent: Candidate, at: number): void {
    const { state } = this.env;
    const extension = state.extensions.get(agent.extnumber);
    state.setCallState(agent.extnumber, ExtensionCallState.Ringing, {
      caller: agent.extnumber,
      callee: call.number.phone,
      disnumber: call.disnumber,
      direction: CallDirection.Out,
      method: CallMethod.Predictive,
      channel: channelOf(extension),
      uuid: call.uuid,
      since: at,
      taskId: call.task.id,
    });
    if (agent.queue) {
      this.#seatState(agent, SipCode.SeatReceiving);
      this.env.agents.noteRung(agent.queue.name, agent.extnumber);
    }
    this.#postStatus(call, agent, ExtensionCallEvent.Ring);
    this.env.events.emit('agentRinging', this.#agentEvent(call, agent, at));
  }

  #agentAnswered(call: PredictiveCall, winner: Candidate): void {
    const { env } = this;
    const at = env.now();
    for (const other of call.ringing) if (other !== winner) this.#release(call, other, 'cancelled');
    env.state.setCallState(winner.extnumber, ExtensionCallState.OffHook);
    if (winner.queue) this.#seatState(winner, SipCode.SeatAnswered);
    this.#postStatus(call, winner, ExtensionCallEvent.Answer);
    call.ringing = [];
    call.agent = winner;
    call.answeredAt = at;
    call.lane = extensionLane(winner.extnumber);
    call.phase = Phase.Talking;
    call.patience?.cancel();
    env.events.emit('agentAnswered', this.#agentEvent(call, winner, at));
    env.scheduler.at(at + talkSeconds(env.rng) * SECOND, () => this.#hangUp(call));
  }

  /** Nobody picked up: the seats rest (1212), the customer waits for another agent or, out of patience, leaves. */
  #rangOut(call: PredictiveCall): void {
    const at = this.env.now();
    for (const agent of call.ringing) {
      call.missed.add(agent.extnumber);
      this.#release(call, agent, 'missed');
    }
    call.ringing = [];
    if (call.gaveUp) {
      this.#abandon(call, at);
      return;
    }
    call.phase = Phase.Waiting;
    const answeredAt = call.customerAnsweredAt ?? at;
    const index = this.#waiting.findIndex((c) => (c.customerAnsweredAt ?? 0) > answeredAt);
    if (index < 0) this.#waiting.push(call);
    else this.#waiting.splice(index, 0, call);
  }

  #release(call: PredictiveCall, agent: Candidate, reason: 'missed' | 'cancelled'): void {
    const { env } = this;
    const at = env.now();
    env.state.setCallState(agent.extnumber, ExtensionCallState.Idle);
    if (agent.queue) {
      if (reason === 'missed') {
        this.#seatState(agent, SipCode.SeatNoAnswer);
        const queueName = agent.queue.name;
        env.scheduler.at(at + NO_ANSWER_REST_SECONDS * SECOND, () => {
          const seat = env.state.queues.get(queueName)?.seats.get(agent.extnumber);
          if (seat?.state === SipCode.SeatNoAnswer) env.state.setSeatState(queueName, agent.extnumber, SipCode.SeatWaiting);
        });
      } else {
        this.#seatState(agent, SipCode.SeatWaiting);
      }
    }
    this.#postStatus(call, agent, ExtensionCallEvent.Hangup);
    env.events.emit('agentReleased', { ...this.#agentEvent(call, agent, at), reason });
  }

  #patienceOver(call: PredictiveCall): void {
    call.patience = null;
    if (call.phase === Phase.Waiting) this.#abandon(call, this.env.now());
    else if (call.phase === Phase.Offering) call.gaveUp = true;
  }

  /** The customer hung up before an agent answered: an unanswered record, like the platform's. */
  #abandon(call: PredictiveCall, at: number): void {
    this.#waiting = this.#waiting.filter((c) => c !== call);
    this.#finish(call, 'abandoned', this.#unansweredBill(call, at, SipCode.CallNormalHangup, SipCode.CalleeHungUp));
  }

  // ---- the end of a call ------------------------------------------------------------------------------------

  #hangUp(call: PredictiveCall): void {
    const { env } = this;
    const agent = call.agent as Candidate;
    const at = env.now();
    const answeredAt = call.answeredAt ?? at;
    const talk = Math.round((at - answeredAt) / SECOND);
    env.state.setCallState(agent.extnumber, ExtensionCallState.Idle);
    if (agent.queue) {
      this.#seatState(agent, SipCode.SeatWaiting);
      env.agents.noteTalk(agent.queue.name, agent.extnumber, talk);
      const wrapup = agent.seat?.wrapupTime ?? 0;
      if (wrapup > 0) {
        env.agents.wrapUp(agent.extnumber, at + wrapup * SECOND);
        env.scheduler.at(at + wrapup * SECOND, () => undefined); // wakes the pacing when the wrap-up is over
      }
    }
    this.#postStatus(call, agent, ExtensionCallEvent.Hangup);
    const bill = this.#bill(call, {
      extnumber: agent.extnumber,
      answertime: answeredAt,
      endtime: at,
      duration: Math.round((answeredAt - call.startedAt) / SECOND),
      billsec: talk,
      crmid: agent.seat?.crmid ?? this.#crmidOf(agent.extnumber),
      recordfilename: `${call.uuid}.wav`,
      downloadip: RECORDING_DOWNLOAD_IP,
      hangupdirection: talkHangupDirection(env.rng),
      hangupcause: SipCode.CallNormalHangup,
      userkey: userKey(env.rng),
    });
    this.#finish(call, DialOutcome.Answered, bill);
  }

  #unansweredBill(call: PredictiveCall, at: number, cause: SipCode, direction: SipCode): Bill {
    return this.#bill(call, {
      extnumber: '',
      answertime: null,
      endtime: at,
      duration: Math.round((at - call.startedAt) / SECOND),
      billsec: 0,
      crmid: '0',
      recordfilename: '',
      downloadip: '',
      hangupdirection: direction,
      hangupcause: cause,
      userkey: '',
    });
  }

  #bill(
    call: PredictiveCall,
    fields: Pick<
      NewBill,
      | 'extnumber'
      | 'answertime'
      | 'endtime'
      | 'duration'
      | 'billsec'
      | 'crmid'
      | 'recordfilename'
      | 'downloadip'
      | 'hangupdirection'
      | 'hangupcause'
      | 'userkey'
    >,
  ): Bill {
    const { number } = call;
    return this.env.state.addBill({
      uuid: call.uuid,
      destnumber: number.phone,
      displaynumber: call.disnumber,
      starttime: call.startedAt,
      direction: CallDirection.Out,
      callmethod: CallMethod.Predictive,
      userid: number.userid,
      memberid: number.memberid,
      chengshudu: number.chengshudu,
      customuuid: number.customuuid,
      taskId: call.task.id,
      ...fields,
    });
  }

  #finish(call: PredictiveCall, end: CallEnd, bill: Bill): void {
    const { env } = this;
    this.#live.delete(call.uuid);
    const answered = bill.answertime !== null;
    env.state.setTaskNumberState(
      call.task.id,
      call.number.seq,
      answered ? TaskNumberState.Answered : TaskNumberState.Unanswered,
      bill.id,
    );
    env.poster.post(CallbackKind.CallRecord, call.lane, env.recordPayload(bill), call.task.id);
    env.events.emit('callEnded', { taskId: call.task.id, uuid: call.uuid, end, bill });
    if (this.#overPending.has(call.task.id) && !this.#hasLiveCalls(call.task.id)) {
      this.#overPending.delete(call.task.id);
      this.#postTaskStatus(call.task.id);
    }
  }

  #postTaskStatus(taskId: string): void {
    this.#statusPosted.add(taskId);
    const { env } = this;
    env.poster.post(CallbackKind.TaskStatus, `task:${taskId}`, taskStatusPayload(taskId, env.state.company.code), taskId);
    env.events.emit('taskFinished', { taskId, at: env.now() });
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  #postStatus(call: PredictiveCall, agent: Candidate, status: ExtensionCallEvent): void {
    const { env } = this;
    if (status === ExtensionCallEvent.Ring) call.offeredAt.set(agent.extnumber, env.now());
    const payload = extensionStatusPayload({
      companycode: env.state.company.code,
      uuid: call.uuid,
      buuid: call.buuid,
      extnumber: agent.extnumber,
      callee: call.number.phone,
      disnumber: call.disnumber,
      direction: CallDirection.Out,
      method: CallMethod.Predictive,
      // The agent's leg starts when its extension rings, not when the customer was dialled: a predictive customer
      // dialled earlier may wait in the queue and reach this agent after one dialled later, and receivers order an
      // agent's calls by this time.
      startedAt: call.offeredAt.get(agent.extnumber) ?? call.startedAt,
      customuuid: call.number.customuuid,
      status,
    });
    env.poster.post(CallbackKind.ExtensionStatus, extensionLane(agent.extnumber), payload, call.task.id);
  }

  /** Moves the agent's seat, if it is still signed in to the queue (it may have signed out mid-call). */
  #seatState(agent: Candidate, state: SeatState): void {
    const queue = agent.queue;
    if (queue && this.env.state.queues.get(queue.name)?.seats.has(agent.extnumber)) {
      this.env.state.setSeatState(queue.name, agent.extnumber, state);
    }
  }

  #agentEvent(call: PredictiveCall, agent: Candidate, at: number) {
    return { taskId: call.task.id, uuid: call.uuid, extnumber: agent.extnumber, queue: agent.queue?.name ?? null, at };
  }

  /** The agent's employee id from any queue it sits in ("0" when it sits in none, as the manual's examples show). */
  #crmidOf(extnumber: string): string {
    for (const queue of this.env.state.queues.values()) {
      const seat = queue.seats.get(extnumber);
      if (seat) return seat.crmid;
    }
    return '0';
  }

  /** Calls of a target that have no agent yet: the dials the pacing ratio bounds. */
  #inFlight(target: string): number {
    let count = 0;
    for (const call of this.#live.values()) {
      if (call.target === target && (call.phase === Phase.Dialling || call.phase === Phase.Waiting)) count += 1;
    }
    return count;
  }

  #hasLiveCalls(taskId: string): boolean {
    for (const call of this.#live.values()) if (call.task.id === taskId) return true;
    return false;
  }

  /** Pending numbers due by `nowSeconds`, in the order they were added, at most `limit`. */
  #due(task: PredictiveTask, limit: number, nowSeconds: number): TaskNumber[] {
    const due: TaskNumber[] = [];
    for (let i = this.#firstPending(task); i < task.numbers.length && due.length < limit; i++) {
      const number = task.numbers[i] as TaskNumber;
      if (number.state === TaskNumberState.Pending && number.time <= nowSeconds) due.push(number);
    }
    return due;
  }

  /**
   * Index of the task's first pending number. Every number before it is past pending, so the index survives
   * taskDelPhone (which removes pending numbers only) and TaskAdd (which appends).
   */
  #firstPending(task: PredictiveTask): number {
    let i = this.#cursor.get(task.id) ?? 0;
    if (i > task.numbers.length) i = 0;
    while (i < task.numbers.length && task.numbers[i]?.state !== TaskNumberState.Pending) i++;
    this.#cursor.set(task.id, i);
    return i;
  }
}
