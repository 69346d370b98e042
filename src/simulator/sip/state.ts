import { AssignType, AutoCallState, ExtGroupMemberState, QueueStrategy, SipCode } from '../../upstream/sip/codes.ts';
import { TypedEmitter } from '../events.ts';
import type { SimContext } from '../types.ts';
import {
  type ActiveCall,
  type Bill,
  type CallerNumber,
  type Company,
  type ExtGroup,
  type ExtGroupMember,
  type Extension,
  ExtensionCallState,
  type NewBill,
  type NewTaskNumber,
  type PredictiveTask,
  QUEUE_DEFAULTS,
  type Queue,
  type QueueSettings,
  type Registration,
  type Seat,
  type SeatState,
  type TaskNumber,
  TaskNumberState,
  TaskStatus,
} from './model.ts';
import { TokenStore } from './tokens.ts';

export interface SipEvents {
  extensionStateChanged: { extension: Extension; previous: ExtensionCallState; at: number };
  extensionChanged: { extension: Extension; change: 'added' | 'enabled' | 'disabled' | 'registered' | 'unregistered' };
  queueChanged: { queue: Queue; change: 'added' | 'edited' | 'deleted' };
  seatChanged: { queue: Queue; seat: Seat; change: 'signedIn' | 'signedOut' | 'paused' | 'unpaused' | 'state' };
  extGroupChanged: {
    group: ExtGroup;
    change: 'added' | 'memberAdded' | 'memberRemoved' | 'memberEdited';
    extnumber?: string;
  };
  taskCreated: { task: PredictiveTask };
  taskStatusChanged: { task: PredictiveTask; previous: TaskStatus; at: number };
  taskNumbersChanged: { task: PredictiveTask; added: number; removed: number };
  taskNumberStateChanged: { task: PredictiveTask; number: TaskNumber; previous: TaskNumberState };
  billAdded: { bill: Bill };
}

export interface SipStateOptions {
  tokenTtlMs: number;
  company?: Company;
}

/**
 * The whole simulated PBX of one company. Handlers (and the dialer of a later issue, and tests) read the maps
 * directly and change things only through the methods, which keep the entities consistent and emit `events`.
 * Methods throw a plain Error when asked about something that does not exist: callers check first.
 */
export class SipState {
  readonly events = new TypedEmitter<SipEvents>();
  readonly tokens: TokenStore;
  company: Company;
  readonly extensions = new Map<string, Extension>();
  readonly queues = new Map<string, Queue>();
  /** By name (the API addresses groups by name). */
  readonly extGroups = new Map<string, ExtGroup>();
  readonly callerNumbers = new Map<string, CallerNumber>();
  readonly tasks = new Map<string, PredictiveTask>();
  /** Ascending id, which is also insertion order. */
  readonly bills: Bill[] = [];
  readonly #billsByRecording = new Map<string, Bill>();
  #nextBillId = 22_001;
  #nextGroupId = 3;
  #nextNumberSeq = 1;

  constructor(
    private readonly ctx: SimContext,
    options: SipStateOptions,
  ) {
    this.tokens = new TokenStore(() => ctx.now(), options.tokenTtlMs);
    this.company = options.company ?? { code: '9024', name: '示例科技呼叫中心' };
  }

  // ---- extensions -------------------------------------------------------------------------------------------

  addExtension(init: { number: string; password: string; enabled?: boolean; registration?: Registration | null }) {
    if (this.extensions.has(init.number)) throw new Error(`extension ${init.number} exists`);
    const extension: Extension = {
      number: init.number,
      password: init.password,
      enabled: init.enabled ?? true,
      registration: init.registration ?? null,
      callState: ExtensionCallState.Idle,
      call: null,
      idleSince: this.ctx.now(),
    };
    this.extensions.set(extension.number, extension);
    this.events.emit('extensionChanged', { extension, change: 'added' });
    return extension;
  }

  /** Moves an extension's call state; idle clears the call, any other state needs one. */
  setCallState(number: string, state: ExtensionCallState, call: ActiveCall | null = null): Extension {
    const extension = this.#extension(number);
    if (state !== ExtensionCallState.Idle && !call && !extension.call) throw new Error(`${state} needs a call`);
    const previous = extension.callState;
    extension.callState = state;
    if (state === ExtensionCallState.Idle) {
      extension.call = null;
      if (previous !== ExtensionCallState.Idle) extension.idleSince = this.ctx.now();
    } else if (call) {
      extension.call = call;
    }
    this.events.emit('extensionStateChanged', { extension, previous, at: this.ctx.now() });
    return extension;
  }

  setRegistration(number: string, registration: Registration | null): Extension {
    const extension = this.#extension(number);
    extension.registration = registration;
    this.events.emit('extensionChanged', { extension, change: registration ? 'registered' : 'unregistered' });
    return extension;
  }

  setEnabled(number: string, enabled: boolean): Extension {
    const extension = this.#extension(number);
    extension.enabled = enabled;
    this.events.emit('extensionChanged', { extension, change: enabled ? 'enabled' : 'disabled' });
    return extension;
  }

  // ---- queues -----------------------------------------------------------------------------------------------

  addQueue(name: string, settings: Partial<QueueSettings>, autocallEnabled: boolean): Queue {
    if (this.queues.has(name)) throw new Error(`queue ${name} exists`);
    const queue: Queue = {
      name,
      remark: '',
      strategy: QueueStrategy.LongestIdle,
      announce: '',
      ...QUEUE_DEFAULTS,
      ...settings,
      autocallEnabled,
      autocallOverride: null,
      seats: new Map(),
    };
    this.queues.set(name, queue);
    this.events.emit('queueChanged', { queue, change: 'added' });
    return queue;
  }

  editQueue(name: string, settings: Partial<QueueSettings>): Queue {
    const queue = this.#queue(name);
    Object.assign(queue, settings);
    this.events.emit('queueChanged', { queue, change: 'edited' });
    return queue;
  }

  deleteQueue(name: string): void {
    const queue = this.#queue(name);
    this.queues.delete(name);
    this.events.emit('queueChanged', { queue, change: 'deleted' });
  }

  /** busy while a running task dials for the queue, idle otherwise, unavailable when autocall is off. */
  autocallOf(queue: Queue): AutoCallState {
    if (queue.autocallOverride) return queue.autocallOverride;
    if (!queue.autocallEnabled) return AutoCallState.Unavailable;
    for (const task of this.tasks.values()) {
      const dialsForQueue = task.assignType === AssignType.Queue && task.assignAgent === queue.name;
      if (dialsForQueue && task.status === TaskStatus.Running) return AutoCallState.Busy;
    }
    return AutoCallState.Idle;
  }

  signIn(queueName: string, extnumber: string, crmid: string): Seat {
    const queue = this.#queue(queueName);
    this.#extension(extnumber);
    if (queue.seats.has(extnumber)) throw new Error(`${extnumber} is already in ${queueName}`);
    const seat: Seat = {
      queueName,
      extnumber,
      crmid,
      paused: false,
      state: SipCode.SeatWaiting,
      lastAnswerTime: null,
      lastAssignTime: null,
      changeTime: this.ctx.now(),
      noAnswerCount: 0,
      callsAnswered: 0,
      externalCallsCount: 0,
      wrapupTime: 0,
      maxNoAnswer: 0,
    };
    queue.seats.set(extnumber, seat);
    this.events.emit('seatChanged', { queue, seat, change: 'signedIn' });
    return seat;
  }

  signOut(queueName: string, extnumber: string): void {
    const queue = this.#queue(queueName);
    const seat = this.#seat(queue, extnumber);
    queue.seats.delete(extnumber);
    this.events.emit('seatChanged', { queue, seat, change: 'signedOut' });
  }

  setSeatPaused(queueName: string, extnumber: string, paused: boolean): Seat {
    const queue = this.#queue(queueName);
    const seat = this.#seat(queue, extnumber);
    seat.paused = paused;
    // "Show idle" puts a seat that was resting after a missed or rejected offer back to waiting.
    if (!paused && (seat.state === SipCode.SeatNoAnswer || seat.state === SipCode.SeatRejected)) {
      seat.state = SipCode.SeatWaiting;
    }
    seat.changeTime = this.ctx.now();
    this.events.emit('seatChanged', { queue, seat, change: paused ? 'paused' : 'unpaused' });
    return seat;
  }

  /** The dialer's hook: receiving (assigned) → answered / no answer / rejected → waiting. Keeps the counters. */
  setSeatState(queueName: string, extnumber: string, state: SeatState): Seat {
    const queue = this.#queue(queueName);
    const seat = this.#seat(queue, extnumber);
    const now = this.ctx.now();
    if (state === SipCode.SeatReceiving) seat.lastAssignTime = now;
    if (state === SipCode.SeatAnswered) {
      seat.lastAnswerTime = now;
      seat.callsAnswered += 1;
    }
    if (state === SipCode.SeatNoAnswer) seat.noAnswerCount += 1;
    seat.state = state;
    seat.changeTime = now;
    this.events.emit('seatChanged', { queue, seat, change: 'state' });
    return seat;
  }

  // ---- extension groups -------------------------------------------------------------------------------------

  addExtGroup(name: string, enabled: boolean): ExtGroup {
    if (this.extGroups.has(name)) throw new Error(`extension group ${name} exists`);
    const group: ExtGroup = { id: this.#nextGroupId++, name, enabled, members: new Map() };
    this.extGroups.set(name, group);
    this.events.emit('extGroupChanged', { group, change: 'added' });
    return group;
  }

  addGroupMember(groupName: string, extnumber: string, state = ExtGroupMemberState.Idle): ExtGroupMember {
    const group = this.#group(groupName);
    this.#extension(extnumber);
    if (group.members.has(extnumber)) throw new Error(`${extnumber} is already in ${groupName}`);
    const member: ExtGroupMember = { extnumber, state };
    group.members.set(extnumber, member);
    this.events.emit('extGroupChanged', { group, change: 'memberAdded', extnumber });
    return member;
  }

  removeGroupMember(groupName: string, extnumber: string): void {
    const group = this.#group(groupName);
    if (!group.members.delete(extnumber)) throw new Error(`${extnumber} is not in ${groupName}`);
    this.events.emit('extGroupChanged', { group, change: 'memberRemoved', extnumber });
  }

  setGroupMemberState(groupName: string, extnumber: string, state: ExtGroupMemberState): ExtGroupMember {
    const group = this.#group(groupName);
    const member = group.members.get(extnumber);
    if (!member) throw new Error(`${extnumber} is not in ${groupName}`);
    member.state = state;
    this.events.emit('extGroupChanged', { group, change: 'memberEdited', extnumber });
    return member;
  }

  addCallerNumber(number: string, enabled = true): CallerNumber {
    const callerNumber: CallerNumber = { number, enabled };
    this.callerNumbers.set(number, callerNumber);
    return callerNumber;
  }

  // ---- predictive tasks -------------------------------------------------------------------------------------

  createTask(
    init: Pick<PredictiveTask, 'name' | 'assignType' | 'assignAgent' | 'scale' | 'callerNumbers'> & {
      numbers: readonly NewTaskNumber[];
      id?: string;
      status?: TaskStatus;
    },
  ): PredictiveTask {
    const now = this.ctx.now();
    const id = init.id ?? this.#newTaskId(now);
    if (this.tasks.has(id)) throw new Error(`task ${id} exists`);
    const task: PredictiveTask = {
      id,
      name: init.name,
      assignType: init.assignType,
      assignAgent: init.assignAgent,
      scale: init.scale,
      callerNumbers: init.callerNumbers,
      status: init.status ?? TaskStatus.NotStarted,
      createdAt: now,
      updatedAt: now,
      numbers: init.numbers.map((number) => this.#taskNumber(number)),
    };
    this.tasks.set(id, task);
    this.events.emit('taskCreated', { task });
    return task;
  }

  setTaskStatus(id: string, status: TaskStatus): PredictiveTask {
    const task = this.#task(id);
    const previous = task.status;
    if (previous === status) return task;
    task.status = status;
    task.updatedAt = this.ctx.now();
    this.events.emit('taskStatusChanged', { task, previous, at: task.updatedAt });
    return task;
  }

  addTaskNumbers(id: string, numbers: readonly NewTaskNumber[]): number {
    const task = this.#task(id);
    for (const number of numbers) task.numbers.push(this.#taskNumber(number));
    task.updatedAt = this.ctx.now();
    this.events.emit('taskNumbersChanged', { task, added: numbers.length, removed: 0 });
    return numbers.length;
  }

  /** Removes the still-pending entries with these phones (a number being or already dialled stays). */
  removeTaskNumbers(id: string, phones: readonly string[]): number {
    const task = this.#task(id);
    const remove = new Set(phones);
    const before = task.numbers.length;
    const kept = task.numbers.filter((n) => !(n.state === TaskNumberState.Pending && remove.has(n.phone)));
    task.numbers.splice(0, task.numbers.length, ...kept);
    const removed = before - kept.length;
    if (removed > 0) {
      task.updatedAt = this.ctx.now();
      this.events.emit('taskNumbersChanged', { task, added: 0, removed });
    }
    return removed;
  }

  /** Pending numbers whose `time` has come, in the order they were added. */
  dueNumbers(id: string, limit = Infinity): TaskNumber[] {
    const task = this.#task(id);
    const nowSeconds = Math.floor(this.ctx.now() / 1000);
    const due: TaskNumber[] = [];
    for (const number of task.numbers) {
      if (due.length >= limit) break;
      if (number.state === TaskNumberState.Pending && number.time <= nowSeconds) due.push(number);
    }
    return due;
  }

  setTaskNumberState(id: string, seq: number, state: TaskNumberState, billId: number | null = null): TaskNumber {
    const task = this.#task(id);
    const number = task.numbers.find((n) => n.seq === seq);
    if (!number) throw new Error(`task ${id} has no number #${seq}`);
    const previous = number.state;
    number.state = state;
    if (billId !== null) number.billId = billId;
    this.events.emit('taskNumberStateChanged', { task, number, previous });
    return number;
  }

  // ---- call records -----------------------------------------------------------------------------------------

  addBill(init: NewBill): Bill {
    const bill: Bill = { ...init, id: this.#nextBillId++, fetched: init.fetched ?? false, taskId: init.taskId ?? null };
    this.bills.push(bill);
    if (bill.recordfilename) this.#billsByRecording.set(bill.recordfilename, bill);
    this.events.emit('billAdded', { bill });
    return bill;
  }

  billByRecording(filename: string): Bill | undefined {
    return this.#billsByRecording.get(filename);
  }

  // ---- lookups that throw -----------------------------------------------------------------------------------

  #extension(number: string): Extension {
    const extension = this.extensions.get(number);
    if (!extension) throw new Error(`no extension ${number}`);
    return extension;
  }

  #queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`no queue ${name}`);
    return queue;
  }

  #seat(queue: Queue, extnumber: string): Seat {
    const seat = queue.seats.get(extnumber);
    if (!seat) throw new Error(`${extnumber} is not in ${queue.name}`);
    return seat;
  }

  #group(name: string): ExtGroup {
    const group = this.extGroups.get(name);
    if (!group) throw new Error(`no extension group ${name}`);
    return group;
  }

  #task(id: string): PredictiveTask {
    const task = this.tasks.get(id);
    if (!task) throw new Error(`no task ${id}`);
    return task;
  }

  #taskNumber(number: NewTaskNumber): TaskNumber {
    return { ...number, seq: this.#nextNumberSeq++, state: TaskNumberState.Pending, billId: null };
  }

  /** yyyymmddhhmmss on the zone's wall clock + 6 digits, like "20200212163504393460". */
  #newTaskId(now: number): string {
    const stamp = this.ctx.time.format(new Date(now)).replace(/\D/g, '');
    for (;;) {
      const id = stamp + String(this.ctx.rng.int(0, 999_999)).padStart(6, '0');
      if (!this.tasks.has(id)) return id;
    }
  }
}
