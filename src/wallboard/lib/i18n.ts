/**
 * Every visible label goes through this dictionary: Chinese by default (the call centres this serves), English by the
 * header's switch (kept in localStorage). `{name}` placeholders are filled by `translate`. Pure: the English
 * dictionary must have every key the Chinese one has (the type says so), and a unit test checks the placeholders match.
 */

export type Lang = 'zh-CN' | 'en';
export const LANGS: readonly Lang[] = ['zh-CN', 'en'];
export const DEFAULT_LANG: Lang = 'zh-CN';

const zh = {
  title: '呼叫中心实时大屏',
  version: '版本 {version}',
  demo: '演示模式',
  'connection.connecting': '连接中',
  'connection.connected': '实时',
  'connection.reconnecting': '重新连接中',
  'lang.switch': 'English',
  'lang.switchTitle': '切换到英文',
  'key.forget': '清除密钥',
  'key.title': '请输入 API 密钥',
  'key.hint': '网关需要 API 密钥。密钥只保存在本浏览器标签页中。',
  'key.label': 'API 密钥',
  'key.submit': '进入',
  'key.rejected': '密钥无效或已失效，请重新输入。',
  loading: '加载中…',
  reloading: '正在重新加载…',
  'load.failed': '加载失败：{message}',
  'agents.title': '坐席',
  'agents.count': '{shown} / {total} 名坐席',
  'agents.truncated': '仅显示前 {count} 名坐席',
  'agents.filter': '按分机或队列筛选',
  'agents.none': '没有坐席',
  'state.AVAILABLE': '空闲',
  'state.RINGING': '振铃',
  'state.IN_CALL': '通话中',
  'state.PAUSED': '示忙',
  'state.OFFLINE': '离线',
  'state.DISABLED': '已禁用',
  'state.NOT_FOUND': '不存在',
  'state.UNKNOWN': '未知',
  'direction.INBOUND': '呼入',
  'direction.OUTBOUND': '呼出',
  'direction.UNKNOWN': '未知方向',
  'agent.timeInState': '当前状态持续时间',
  'agent.customer': '客户号码',
  'agent.queues': '所在队列',
  'agent.setBusy': '示忙',
  'agent.setIdle': '示闲',
  'agent.setBusyTitle': '在所有队列中示忙（暂停分配来电）',
  'agent.setIdleTitle': '在所有队列中示闲（恢复分配来电）',
  'queues.title': '队列（今日）',
  'queues.name': '队列',
  'queues.offered': '呼入量',
  'queues.answered': '接通',
  'queues.abandoned': '放弃',
  'queues.serviceLevel': '服务水平',
  'queues.asa': '平均应答',
  'queues.none': '没有队列',
  'tasks.title': '外呼任务',
  'tasks.none': '没有任务',
  'tasks.aiUnavailable': 'AI 外呼平台暂时无法读取，未列出 AI 任务',
  'kind.PREDICTIVE': '预测外呼',
  'kind.AI': 'AI 外呼',
  'status.NOT_STARTED': '未开始',
  'status.RUNNING': '进行中',
  'status.PAUSED': '已暂停',
  'status.ENDED': '已结束',
  'status.FINISHED': '已完成',
  'tasks.progress': '进度',
  'tasks.abandonRate': '放弃率',
  'tasks.target': '目标 ≤ {target}',
  'tasks.tripped': '已超限',
  'tasks.pause': '暂停',
  'tasks.start': '开始',
  'calls.title': '最新通话记录',
  'calls.none': '暂无通话记录',
  'calls.answered': '已接通',
  'calls.missed': '未接通',
  'calls.talk': '通话 {duration}',
  'toast.taskPaused': '任务“{name}”已暂停',
  'toast.taskStarted': '任务“{name}”已开始',
  'toast.agentBusy': '分机 {extension} 已示忙（{count} 个队列）',
  'toast.agentIdle': '分机 {extension} 已示闲（{count} 个队列）',
  'toast.noSeats': '分机 {extension} 不在任何队列中',
  'toast.partial': '分机 {extension}：{failed} 个队列失败：{message}',
  'toast.failed': '操作失败：{message}',
  'toast.dismiss': '关闭',
  'unit.seconds': '{value} 秒',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  title: 'Call centre wallboard',
  version: 'v{version}',
  demo: 'Demo',
  'connection.connecting': 'Connecting',
  'connection.connected': 'Live',
  'connection.reconnecting': 'Reconnecting',
  'lang.switch': '中文',
  'lang.switchTitle': 'Switch to Chinese',
  'key.forget': 'Forget key',
  'key.title': 'Enter an API key',
  'key.hint': 'The gateway needs an API key. It is kept in this browser tab only.',
  'key.label': 'API key',
  'key.submit': 'Open',
  'key.rejected': 'The key was refused. Enter it again.',
  loading: 'Loading…',
  reloading: 'Reloading…',
  'load.failed': 'Could not load: {message}',
  'agents.title': 'Agents',
  'agents.count': '{shown} / {total} agents',
  'agents.truncated': 'Only the first {count} agents are shown',
  'agents.filter': 'Extension or queue',
  'agents.none': 'No agents',
  'state.AVAILABLE': 'Available',
  'state.RINGING': 'Ringing',
  'state.IN_CALL': 'In call',
  'state.PAUSED': 'Paused',
  'state.OFFLINE': 'Offline',
  'state.DISABLED': 'Disabled',
  'state.NOT_FOUND': 'Not found',
  'state.UNKNOWN': 'Unknown',
  'direction.INBOUND': 'Inbound',
  'direction.OUTBOUND': 'Outbound',
  'direction.UNKNOWN': 'Unknown direction',
  'agent.timeInState': 'Time in state',
  'agent.customer': 'Customer number',
  'agent.queues': 'Queues',
  'agent.setBusy': 'Busy',
  'agent.setIdle': 'Idle',
  'agent.setBusyTitle': 'Show busy in every queue (no calls offered)',
  'agent.setIdleTitle': 'Show available in every queue (calls offered again)',
  'queues.title': 'Queues (today)',
  'queues.name': 'Queue',
  'queues.offered': 'Offered',
  'queues.answered': 'Answered',
  'queues.abandoned': 'Abandoned',
  'queues.serviceLevel': 'Service level',
  'queues.asa': 'ASA',
  'queues.none': 'No queues',
  'tasks.title': 'Campaigns',
  'tasks.none': 'No campaigns',
  'tasks.aiUnavailable': 'The AI-call platform could not be read: AI campaigns are missing',
  'kind.PREDICTIVE': 'Predictive',
  'kind.AI': 'AI',
  'status.NOT_STARTED': 'Not started',
  'status.RUNNING': 'Running',
  'status.PAUSED': 'Paused',
  'status.ENDED': 'Ended',
  'status.FINISHED': 'Finished',
  'tasks.progress': 'Progress',
  'tasks.abandonRate': 'Abandon rate',
  'tasks.target': 'target ≤ {target}',
  'tasks.tripped': 'over target',
  'tasks.pause': 'Pause',
  'tasks.start': 'Start',
  'calls.title': 'Latest calls',
  'calls.none': 'No calls yet',
  'calls.answered': 'Answered',
  'calls.missed': 'Not answered',
  'calls.talk': 'talk {duration}',
  'toast.taskPaused': 'Campaign "{name}" paused',
  'toast.taskStarted': 'Campaign "{name}" started',
  'toast.agentBusy': 'Extension {extension} shows busy ({count} queues)',
  'toast.agentIdle': 'Extension {extension} shows available ({count} queues)',
  'toast.noSeats': 'Extension {extension} sits in no queue',
  'toast.partial': 'Extension {extension}: {failed} queue(s) failed: {message}',
  'toast.failed': 'Failed: {message}',
  'toast.dismiss': 'Dismiss',
  'unit.seconds': '{value} s',
};

export const DICTIONARIES: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { 'zh-CN': zh, en };

export type Params = Readonly<Record<string, string | number>>;

export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const text = DICTIONARIES[lang][key] ?? DICTIONARIES[DEFAULT_LANG][key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function parseLang(value: string | null | undefined): Lang {
  return value === 'en' || value === 'zh-CN' ? value : DEFAULT_LANG;
}

/** Intl formatting per language: counts, percentages (the API gives 0…100), seconds. */
export interface Formatters {
  count(value: number): string;
  percent(value: number | null | undefined): string;
  seconds(value: number | null | undefined): string;
  time(iso: string | null | undefined): string;
}

/**
 * Each Intl formatter is built on first use: the first one of a page loads the locale's data (~40 ms on a slow
 * machine), which must not land in the same task as the first render (a long task). `warm` builds them one per task.
 */
export function formatters(lang: Lang): Formatters & { warm(): void } {
  let count: Intl.NumberFormat | undefined;
  let percent: Intl.NumberFormat | undefined;
  let seconds: Intl.NumberFormat | undefined;
  let time: Intl.DateTimeFormat | undefined;
  const builders = [
    () => (count ??= new Intl.NumberFormat(lang, { maximumFractionDigits: 0 })),
    () => (percent ??= new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 })),
    () => (seconds ??= new Intl.NumberFormat(lang, { maximumFractionDigits: 1 })),
    () => (time ??= new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })),
  ] as const;
  return {
    count: (value) => builders[0]().format(value),
    percent: (value) => (value == null ? '—' : builders[1]().format(value / 100)),
    seconds: (value) => (value == null ? '—' : translate(lang, 'unit.seconds', { value: builders[2]().format(value) })),
    time: (iso) => {
      const ms = iso ? Date.parse(iso) : Number.NaN;
      return Number.isNaN(ms) ? '—' : builders[3]().format(ms);
    },
    warm: () => {
      let next = 0;
      const step = () => {
        const build = builders[next++];
        if (!build) return;
        build();
        setTimeout(step, 0);
      };
      setTimeout(step, 0);
    },
  };
}
