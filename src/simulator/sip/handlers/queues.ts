import { QueueStrategy, SeatSetting, SeatStateFilter, SipCode, SipService } from '../../../upstream/sip/codes.ts';
import { SipBusinessFailure, illegal } from '../envelope.ts';
import { QUEUE_DEFAULTS, type Queue, type QueueSettings, type Seat } from '../model.ts';
import { type Params, enumValues } from '../params.ts';
import type { SipState } from '../state.ts';
import type { ServiceDefinition } from './types.ts';

const STRATEGIES = enumValues<QueueStrategy>(QueueStrategy);
const SEAT_SETTINGS = enumValues<SeatSetting>(SeatSetting);
const SEAT_FILTERS = enumValues<SeatStateFilter>(SeatStateFilter);

/**
 * GetQueueSipStatus `state` filter → the seat states it selects. The four names are FreeSWITCH mod_callcenter's
 * agent states: Idle (takes no calls: paused, or resting after a missed/rejected offer), Waiting (ready, 1213),
 * Receiving (being offered a call, 1214), In a queue call (1215).
 */
const FILTER_STATES: Readonly<Record<Exclude<SeatStateFilter, SeatStateFilter.Any>, readonly SipCode[]>> = {
  [SeatStateFilter.Idle]: [SipCode.SeatPaused, SipCode.SeatNoAnswer, SipCode.SeatRejected],
  [SeatStateFilter.Waiting]: [SipCode.SeatWaiting],
  [SeatStateFilter.Receiving]: [SipCode.SeatReceiving],
  [SeatStateFilter.Talking]: [SipCode.SeatAnswered],
};

function knownQueue(state: SipState, name: string): Queue {
  const queue = state.queues.get(name);
  if (!queue) throw new SipBusinessFailure(SipCode.IllegalQueue);
  return queue;
}

/** The extension must be the company's: 1012 when it is not. */
function knownExtension(state: SipState, number: string) {
  const extension = state.extensions.get(number);
  if (!extension) throw new SipBusinessFailure(SipCode.ExtensionNotFound);
  return extension;
}

function crmid(params: Params): string {
  return String(params.int('crmid', { min: 0 }));
}

function autocallFlag(params: Params): boolean {
  const value = params.required('autocall').toLowerCase();
  if (value !== 'yes' && value !== 'no') throw illegal('autocall must be yes or no');
  return value === 'yes';
}

/** EditQueue's fields with the manual's defaults; AddQueue uses the same. */
function queueSettings(params: Params): QueueSettings {
  const seconds = (name: keyof typeof QUEUE_DEFAULTS) => params.int(name, { min: 0, fallback: QUEUE_DEFAULTS[name] });
  return {
    remark: params.required('remark'),
    strategy: params.choice('strategy', STRATEGIES, QueueStrategy.LongestIdle),
    announce: '',
    announcefreq: seconds('announcefreq'),
    ringdelay: seconds('ringdelay'),
    maxwaittime: seconds('maxwaittime'),
    withnoagenttime: seconds('withnoagenttime'),
    noagentrejoiningtime: seconds('noagentrejoiningtime'),
    discardtime: seconds('discardtime'),
  };
}

/** The state a seat shows: paused wins over what it is doing. */
export function shownSeatState(seat: Seat): SipCode {
  return seat.paused ? SipCode.SeatPaused : seat.state;
}

export const queueServices = {
  [SipService.GetQueueList]: {
    ok: 'get success',
    fail: 'get fail',
    handle(params, { state }) {
      const name = params.text('queuename');
      const queues = name ? [state.queues.get(name)].filter((q) => q !== undefined) : [...state.queues.values()];
      const result = queues.map((queue) => ({
        queuename: queue.name,
        remark: queue.remark,
        strategy: queue.strategy,
        announce: queue.announce,
        announcefreq: queue.announcefreq,
        ringdelay: queue.ringdelay,
        maxwaittime: queue.maxwaittime,
        withnoagenttime: queue.withnoagenttime,
        noagentrejoiningtime: queue.noagentrejoiningtime,
        discardtime: queue.discardtime,
        autocall: state.autocallOf(queue),
      }));
      return { result };
    },
  },
  [SipService.AddQueue]: {
    ok: 'Added successfully',
    fail: 'Add fail',
    handle(params, { state }) {
      const name = params.required('queuename');
      const autocall = autocallFlag(params);
      const remark = params.required('remark');
      const strategy = params.choice('strategy', STRATEGIES, QueueStrategy.LongestIdle);
      if (state.queues.has(name)) throw new SipBusinessFailure(SipCode.AbnormalOperation, 'queue already exists');
      state.addQueue(name, { remark, strategy }, autocall);
      return {};
    },
  },
  [SipService.EditQueue]: {
    ok: 'Successfully modified',
    fail: 'modify fail',
    handle(params, { state }) {
      const name = params.required('queuename');
      const settings = queueSettings(params);
      const queue = knownQueue(state, name);
      state.editQueue(queue.name, { ...settings, announce: queue.announce });
      return {};
    },
  },
  [SipService.DelQueue]: {
    ok: 'successfully deleted',
    fail: 'delete fail',
    handle(params, { state }) {
      const queue = knownQueue(state, params.required('queuename'));
      state.deleteQueue(queue.name);
      return {};
    },
  },
  [SipService.SipSignIn]: {
    ok: 'check in successful',
    fail: 'check in fail',
    handle(params, { state }) {
      const queueName = params.required('queuename');
      const extnumber = params.required('extnumber');
      const id = crmid(params);
      const queue = knownQueue(state, queueName);
      const extension = knownExtension(state, extnumber);
      if (!extension.enabled) throw new SipBusinessFailure(SipCode.ExtensionDisabled);
      if (queue.seats.has(extnumber)) throw new SipBusinessFailure(SipCode.SeatCheckedIn);
      state.signIn(queue.name, extnumber, id);
      return {};
    },
  },
  [SipService.SipSignOut]: {
    ok: 'checkout successful',
    fail: 'checkout fail',
    handle(params, { state }) {
      const queueName = params.required('queuename');
      const extnumber = params.required('extnumber');
      crmid(params);
      const queue = knownQueue(state, queueName);
      knownExtension(state, extnumber);
      if (!queue.seats.has(extnumber)) {
        throw new SipBusinessFailure(SipCode.AbnormalOperation, 'extension is not checked in to this queue');
      }
      state.signOut(queue.name, extnumber);
      return {};
    },
  },
  [SipService.SetSeatsStatus]: {
    ok: 'successfully set',
    fail: 'set fail',
    handle(params, { state }) {
      const settype = params.choice('settype', SEAT_SETTINGS);
      const queueName = params.required('queuename');
      const extnumber = params.text('extnumber');
      // The manual marks crmid required and extnumber not; either one finds the seat.
      const id = params.has('crmid') ? crmid(params) : '';
      if (!extnumber && !id) throw illegal('extnumber or crmid is required');
      const queue = knownQueue(state, queueName);
      if (extnumber) knownExtension(state, extnumber);
      const seat = extnumber ? queue.seats.get(extnumber) : [...queue.seats.values()].find((s) => s.crmid === id);
      if (!seat) throw new SipBusinessFailure(SipCode.AbnormalOperation, 'extension is not checked in to this queue');
      state.setSeatPaused(queue.name, seat.extnumber, settype === SeatSetting.ShowBusy);
      return {};
    },
  },
  [SipService.GetQueueSipStatus]: {
    ok: 'get success',
    fail: 'get fail',
    handle(params, { ctx, state }) {
      const queueName = params.text('queuename');
      const extnumbers = new Set(params.list('extnumber'));
      const filter = params.choice('state', SEAT_FILTERS, SeatStateFilter.Any);
      const queues = queueName ? [state.queues.get(queueName)].filter((q) => q !== undefined) : [...state.queues.values()];
      const time = (at: number | null) => (at === null ? null : ctx.time.format(new Date(at)));
      const result = queues.flatMap((queue) =>
        [...queue.seats.values()]
          .filter((seat) => extnumbers.size === 0 || extnumbers.has(seat.extnumber))
          .filter((seat) => filter === SeatStateFilter.Any || FILTER_STATES[filter].includes(shownSeatState(seat)))
          .map((seat) => {
            const shown = shownSeatState(seat);
            const extension = state.extensions.get(seat.extnumber);
            const status = !extension?.enabled
              ? SipCode.ExtensionDisabled
              : !extension.registration
                ? SipCode.ExtensionNotRegistered
                : shown;
            return {
              queuename: queue.name,
              seatsname: `${seat.crmid}_${seat.extnumber}_${queue.name}`,
              extnumber: seat.extnumber,
              status,
              state: shown,
              lastanswertime: time(seat.lastAnswerTime),
              lastassigntime: time(seat.lastAssignTime),
              seatschangetime: time(seat.changeTime),
              noanswercount: seat.noAnswerCount,
              callsanswered: seat.callsAnswered,
              externalcallscount: seat.externalCallsCount,
              wrapuptime: seat.wrapupTime,
              maxnoanswer: seat.maxNoAnswer,
            };
          }),
      );
      return { result };
    },
  },
} satisfies Partial<Record<SipService, ServiceDefinition>>;
