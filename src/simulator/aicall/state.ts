import type { SimContext } from '../types.ts';
import { TypedEmitter } from '../events.ts';

/**
 * The simulated AI-call platform's data, in the simulator's own typed shapes (times as epoch ms). Requests go through
 * routes.ts, which validates and renders; a dialer (a later issue) works on this state directly: it finds running
 * tasks, takes their next customers with `takeNextCustomer`, and listens to `events`.
 */

export interface SimCallerLine {
  id: string;
  name: string;
  userId: string;
  callerNumber: string;
  totalConcurrency: number;
  /** Rented from / until (`begin_at` / `deadline_at`); `available_at` in the create form is beginAt. */
  beginAt: number;
  deadlineAt: number;
  nodeIp: string;
  createdAt: number;
  updatedAt: number;
}

export interface SimDoNotCallWindow {
  uuid: string;
  name: string;
  userId: string;
}

export interface SimRedialRule {
  id: number;
  userId: string;
  name: string;
  remark: string;
  enabled: boolean;
  isDefault: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A customer-service (hand-over) group. Usable on a task only with status 1 and a caller line. */
export interface SimCustomerServiceGroup {
  id: number;
  userId: string;
  name: string;
  callerLineId: string | null;
  status: 0 | 1;
  createdAt: number;
  updatedAt: number;
}

export interface SimScriptGroup {
  id: number;
  userId: string;
  name: string;
  debug: boolean;
  isDefault: boolean;
  linkWordGroupId: number | null;
  tagSceneId: number | null;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

export interface SimAiCustomer {
  id: number;
  phone: string;
  /** Custom fields imported beside the number. */
  fields: Record<string, unknown>;
  importedAt: number;
  /** When the dialer took it; null while it waits. */
  dialledAt: number | null;
}

/** The settable part of a task, as validated from a create/update body. */
export interface SimAiTaskFields {
  name: string;
  remark: string | null;
  callerLineId: string;
  scriptGroupId: number;
  doNotCallWindowId: string;
  maximumcall: number;
  customerServiceId: number | null;
  redialRuleId: number;
  callPauseSecond: number;
  originateTimeout: number;
  recycleLimit: number;
  randomAssignmentNumber: number;
}

export interface SimAiTask extends SimAiTaskFields {
  uuid: string;
  userId: string;
  running: boolean;
  callPerSecond: number;
  callerNumber: string;
  notifyUrl: string;
  notifyType: number;
  sort: number;
  /** Null: the platform gives no creation time (`create_datetime: null`), as some real tasks do. */
  createdAt: number | null;
  alteredAt: number;
  /** In import order; the dialer takes them front to back. */
  customers: SimAiCustomer[];
  /** How many of `customers` (from the front) were dialled. */
  dialled: number;
}

export interface AiCallSimEvents {
  taskCreated: { task: SimAiTask };
  taskUpdated: { task: SimAiTask };
  taskDeleted: { task: SimAiTask };
  taskStarted: { task: SimAiTask };
  taskStopped: { task: SimAiTask };
  customersImported: { task: SimAiTask; customers: SimAiCustomer[] };
  /** The dialer took a customer (progress moved). */
  customerDialled: { task: SimAiTask; customer: SimAiCustomer };
  /** Any of the above: one listener for "something about this task changed". */
  taskChanged: { task: SimAiTask; kind: Exclude<keyof AiCallSimEvents, 'taskChanged'> };
}

export class AiCallSimState {
  readonly userId: string;
  readonly callerLines = new Map<string, SimCallerLine>();
  readonly doNotCallWindows = new Map<string, SimDoNotCallWindow>();
  readonly redialRules = new Map<number, SimRedialRule>();
  readonly customerServiceGroups = new Map<number, SimCustomerServiceGroup>();
  readonly scriptGroups = new Map<number, SimScriptGroup>();
  /** In creation order. */
  readonly tasks = new Map<string, SimAiTask>();
  readonly events = new TypedEmitter<AiCallSimEvents>();
  /** Written on tasks as `call_notify_url` (where hang-up notifications would go). */
  notifyUrl = '';
  private nextCustomerId = 1;
  private nextSort = 1;

  constructor(private readonly ctx: SimContext) {
    this.userId = ctx.rng.uuid();
  }

  /** Concurrency of running tasks on a line, optionally leaving one task out (the one being changed). */
  usedConcurrency(lineId: string, exceptTask?: string): number {
    let used = 0;
    for (const task of this.tasks.values()) {
      if (task.running && task.callerLineId === lineId && task.uuid !== exceptTask) used += task.maximumcall;
    }
    return used;
  }

  /** Free concurrency on a line: its total minus the concurrency of its running tasks (never below 0). */
  residue(lineId: string, exceptTask?: string): number {
    const line = this.callerLines.get(lineId);
    return line ? Math.max(0, line.totalConcurrency - this.usedConcurrency(lineId, exceptTask)) : 0;
  }

  listTasks(): SimAiTask[] {
    return [...this.tasks.values()];
  }

  getTask(uuid: string): SimAiTask | undefined {
    return this.tasks.get(uuid);
  }

  createTask(fields: SimAiTaskFields, at: number | null = this.ctx.now()): SimAiTask {
    const line = this.callerLines.get(fields.callerLineId);
    const task: SimAiTask = {
      ...fields,
      uuid: this.ctx.rng.uuid(),
      userId: this.userId,
      running: false,
      callPerSecond: 10,
      callerNumber: line?.callerNumber ?? '',
      notifyUrl: this.notifyUrl,
      notifyType: 2,
      sort: this.nextSort++,
      createdAt: at,
      alteredAt: at ?? this.ctx.now(),
      customers: [],
      dialled: 0,
    };
    this.tasks.set(task.uuid, task);
    this.emit('taskCreated', { task });
    return task;
  }

  updateTask(uuid: string, fields: SimAiTaskFields): SimAiTask {
    const task = this.require(uuid);
    Object.assign(task, fields);
    task.callerNumber = this.callerLines.get(fields.callerLineId)?.callerNumber ?? task.callerNumber;
    task.alteredAt = this.ctx.now();
    this.emit('taskUpdated', { task });
    return task;
  }

  deleteTask(uuid: string): SimAiTask {
    const task = this.require(uuid);
    this.tasks.delete(uuid);
    this.emit('taskDeleted', { task });
    return task;
  }

  /** Starts or pauses a task. Checking the line's residue is the caller's job (routes.ts answers 422). */
  setRunning(uuid: string, running: boolean): SimAiTask {
    const task = this.require(uuid);
    if (task.running !== running) {
      task.running = running;
      task.alteredAt = this.ctx.now();
      this.emit(running ? 'taskStarted' : 'taskStopped', { task });
    }
    return task;
  }

  importCustomers(uuid: string, rows: readonly { phone: string; fields: Record<string, unknown> }[]): SimAiCustomer[] {
    const task = this.require(uuid);
    const now = this.ctx.now();
    const added = rows.map((row) => ({
      id: this.nextCustomerId++,
      phone: row.phone,
      fields: row.fields,
      importedAt: now,
      dialledAt: null,
    }));
    task.customers.push(...added);
    if (added.length > 0) this.emit('customersImported', { task, customers: added });
    return added;
  }

  /** For the dialer: the next customer of a task, marked as dialled (progress moves); null when none is left. */
  takeNextCustomer(uuid: string): SimAiCustomer | null {
    const task = this.require(uuid);
    const customer = task.customers[task.dialled];
    if (!customer) return null;
    customer.dialledAt = this.ctx.now();
    task.dialled += 1;
    this.emit('customerDialled', { task, customer });
    return customer;
  }

  progress(task: SimAiTask): { total: number; progress: number; percent: number } {
    const total = task.customers.length;
    return { total, progress: task.dialled, percent: total === 0 ? 0 : Math.round((task.dialled / total) * 100) };
  }

  private require(uuid: string): SimAiTask {
    const task = this.tasks.get(uuid);
    if (!task) throw new RangeError(`no AI task ${uuid}`);
    return task;
  }

  private emit<K extends Exclude<keyof AiCallSimEvents, 'taskChanged'>>(kind: K, payload: AiCallSimEvents[K]): void {
    this.events.emit(kind, payload);
    this.events.emit('taskChanged', { task: payload.task, kind });
  }
}
