import {
  AssignType,
  CallDirection,
  CallMethod,
  ExtGroupMemberState,
  QueueStrategy,
  SipCode,
} from '../../upstream/sip/codes.ts';
import type { SimContext } from '../types.ts';
import { type Extension, ExtensionCallState, type NewTaskNumber, TaskNumberState, TaskStatus } from './model.ts';
import { seedBills } from './seed-bills.ts';
import { crmidOf, mobileNumber, password, shuffled } from './seed-util.ts';
import type { SipState } from './state.ts';

/**
 * The demo call centre: a small company with 40 extensions, 4 queues, 3 extension groups, 4 caller numbers,
 * two older predictive tasks and 3 000 call records over the last 7 days. Everything is drawn from `ctx.rng` in a
 * fixed order, so the same seed and the same clock give the same data.
 */

export const SEED_SIZES = { extensions: 40, disabled: 3, unregistered: 4, bills: 3_000 } as const;
const SERVER_IP = '10.90.24.1';
const MINUTE = 60_000;
const DAY = 86_400_000;

const QUEUES = [
  { name: 'sales', remark: '销售一组', strategy: QueueStrategy.RoundRobin, autocall: true, seats: 12, announce: '' },
  {
    name: 'support',
    remark: '售后服务',
    strategy: QueueStrategy.LongestIdle,
    autocall: false,
    seats: 9,
    announce: 'announce.wav',
  },
  {
    name: 'collections',
    remark: '催收提醒',
    strategy: QueueStrategy.FewestAnswered,
    autocall: true,
    seats: 14,
    announce: '',
  },
  {
    name: 'vip',
    remark: 'VIP回访',
    strategy: QueueStrategy.Priority,
    autocall: true,
    seats: 8,
    announce: 'vip-welcome.wav',
  },
] as const;

const GROUPS = [
  { name: 'group-day', enabled: true, members: 7 },
  { name: 'group-night', enabled: true, members: 5 },
  { name: 'group-backup', enabled: false, members: 4 },
] as const;

export function seedSipState(state: SipState, ctx: SimContext): void {
  const { rng } = ctx;
  const now = ctx.now();
  const code = state.company.code;

  for (let i = 1; i <= 4; i++) state.addCallerNumber(`21${code}${String(i).padStart(4, '0')}`, i !== 4);

  const indices = shuffled(rng, Array.from({ length: SEED_SIZES.extensions }, (_, i) => i + 1));
  const disabled = new Set(indices.slice(0, SEED_SIZES.disabled));
  const unregistered = new Set(indices.slice(SEED_SIZES.disabled, SEED_SIZES.disabled + SEED_SIZES.unregistered));
  for (let i = 1; i <= SEED_SIZES.extensions; i++) {
    const enabled = !disabled.has(i);
    const registered = enabled && !unregistered.has(i);
    const extension = state.addExtension({
      number: `${code}${String(i).padStart(4, '0')}`,
      password: password(rng),
      enabled,
      registration: registered
        ? { clientIp: `192.168.10.${20 + i}`, serverIp: SERVER_IP, since: now - rng.int(10, 480) * MINUTE }
        : null,
    });
    extension.idleSince = now - rng.int(5, 1_800) * 1000;
  }
  const enabledExtensions = [...state.extensions.values()].filter((e) => e.enabled);

  for (const def of QUEUES) {
    const queue = state.addQueue(
      def.name,
      { remark: def.remark, strategy: def.strategy, announce: def.announce },
      def.autocall,
    );
    const members = shuffled(rng, enabledExtensions)
      .slice(0, def.seats)
      .sort((a, b) => a.number.localeCompare(b.number));
    for (const extension of members) {
      const seat = state.signIn(queue.name, extension.number, crmidOf(extension.number));
      seat.paused = rng.chance(0.2);
      seat.callsAnswered = rng.int(0, 80);
      seat.noAnswerCount = rng.int(0, 6);
      seat.wrapupTime = rng.pick([0, 5, 10]);
      seat.lastAssignTime = seat.callsAnswered > 0 ? now - rng.int(10, 240) * MINUTE : null;
      seat.lastAnswerTime = seat.lastAssignTime === null ? null : seat.lastAssignTime + rng.int(2, 20) * 1000;
      seat.changeTime = (seat.lastAnswerTime ?? now - 240 * MINUTE) + rng.int(1, 9) * MINUTE;
    }
  }

  seedLiveCalls(state, ctx);

  for (const def of GROUPS) {
    const group = state.addExtGroup(def.name, def.enabled);
    for (const extension of shuffled(rng, enabledExtensions).slice(0, def.members)) {
      const memberState = rng.chance(0.25) ? ExtGroupMemberState.Busy : ExtGroupMemberState.Idle;
      state.addGroupMember(group.name, extension.number, memberState);
    }
  }

  seedTasks(state, ctx);
  seedBills(state, ctx, SEED_SIZES.bills);
}

/** A few agents are on a call right now: predictive calls answered by queue seats, one ringing, one manual dial. */
function seedLiveCalls(state: SipState, ctx: SimContext): void {
  const { rng } = ctx;
  const now = ctx.now();
  const callerNumbers = [...state.callerNumbers.values()].filter((n) => n.enabled).map((n) => n.number);
  const seated = [...state.queues.values()].flatMap((queue) =>
    [...queue.seats.values()]
      .filter((seat) => !seat.paused && state.extensions.get(seat.extnumber)?.registration)
      .map((seat) => ({ queue, seat })),
  );
  const busy = new Set<string>();
  const plan = [
    ExtensionCallState.OffHook,
    ExtensionCallState.OffHook,
    ExtensionCallState.OffHook,
    ExtensionCallState.Ringing,
  ];
  for (const callState of plan) {
    const free = seated.filter(({ seat }) => !busy.has(seat.extnumber));
    if (free.length === 0) break;
    const { queue, seat } = rng.pick(free);
    busy.add(seat.extnumber);
    const since = now - rng.int(3, callState === ExtensionCallState.Ringing ? 8 : 400) * 1000;
    state.setCallState(seat.extnumber, callState, {
      caller: seat.extnumber,
      callee: mobileNumber(rng),
      disnumber: rng.pick(callerNumbers),
      direction: CallDirection.Out,
      method: CallMethod.Predictive,
      channel: channelOf(state.extensions.get(seat.extnumber)),
      uuid: rng.uuid(),
      since,
    });
    const seatState = callState === ExtensionCallState.Ringing ? SipCode.SeatReceiving : SipCode.SeatAnswered;
    state.setSeatState(queue.name, seat.extnumber, seatState);
    seat.changeTime = since;
  }
  const idle = [...state.extensions.values()].filter(
    (e) => e.enabled && e.registration && !busy.has(e.number) && e.callState === ExtensionCallState.Idle,
  );
  const dialling = idle.length > 0 ? rng.pick(idle) : undefined;
  if (dialling) {
    state.setCallState(dialling.number, ExtensionCallState.Calling, {
      caller: dialling.number,
      callee: mobileNumber(rng),
      disnumber: rng.pick(callerNumbers),
      direction: CallDirection.Out,
      method: CallMethod.ManualDial,
      channel: channelOf(dialling),
      uuid: rng.uuid(),
      since: now - rng.int(20, 300) * 1000,
    });
  }
}

export function channelOf(extension: Extension | undefined): string {
  const ip = extension?.registration?.clientIp ?? '0.0.0.0';
  return `sofia/internal/${extension?.number ?? ''}@${ip}:5060`;
}

/** Two tasks made before the simulator started: one over (every number dialled), one paused halfway. */
function seedTasks(state: SipState, ctx: SimContext): void {
  const { rng } = ctx;
  const now = ctx.now();
  const numbers = (count: number, at: number): NewTaskNumber[] =>
    Array.from({ length: count }, () => ({
      phone: mobileNumber(rng),
      time: Math.floor(at / 1000),
      userid: String(rng.int(10_000, 99_999)),
      memberid: String(rng.int(100_000_000, 999_999_999)),
      chengshudu: String(rng.int(1, 5)),
      customuuid: String(rng.int(100_000_000, 999_999_999)),
    }));
  const idAt = (at: number) =>
    ctx.time.format(new Date(at)).replace(/\D/g, '') + String(rng.int(0, 999_999)).padStart(6, '0');

  const overAt = now - 3 * DAY;
  const over = state.createTask({
    id: idAt(overAt),
    name: '春节促销回访',
    assignType: AssignType.Queue,
    assignAgent: 'sales',
    scale: { agents: 1, calls: 3 },
    callerNumbers: [],
    numbers: numbers(200, overAt),
    status: TaskStatus.Over,
  });
  for (const number of over.numbers) {
    const state_ = rng.chance(0.6) ? TaskNumberState.Answered : TaskNumberState.Unanswered;
    state.setTaskNumberState(over.id, number.seq, state_);
  }

  const pausedAt = now - DAY / 4;
  const paused = state.createTask({
    id: idAt(pausedAt),
    name: '逾期提醒第二批',
    assignType: AssignType.Queue,
    assignAgent: 'collections',
    scale: { agents: 1, calls: 2 },
    callerNumbers: [...state.callerNumbers.values()].filter((n) => n.enabled).map((n) => n.number).slice(0, 2),
    numbers: numbers(500, pausedAt),
    status: TaskStatus.Paused,
  });
  for (const number of paused.numbers.slice(0, 120)) {
    const state_ = rng.chance(0.55) ? TaskNumberState.Answered : TaskNumberState.Unanswered;
    state.setTaskNumberState(paused.id, number.seq, state_);
  }
}
