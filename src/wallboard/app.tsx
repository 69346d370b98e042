import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { AgentGrid, type AgentActions } from './components/agent-grid.tsx';
import { Header } from './components/header.tsx';
import { KeyForm } from './components/key-form.tsx';
import { CallFeed, QueuePanel, type TaskActions, TaskPanel } from './components/panels.tsx';
import { Toasts } from './components/toasts.tsx';
import type { ViewState, WallboardController } from './controller.ts';
import { I18nContext, i18nFor } from './i18n-context.ts';
import { type Lang, parseLang } from './lib/i18n.ts';

export const LANG_STORAGE = 'wallboard.lang';

function storedLang(): Lang {
  try {
    return parseLang(window.localStorage.getItem(LANG_STORAGE));
  } catch {
    return parseLang(null);
  }
}

export function App({ controller }: { controller: WallboardController }) {
  const [state, setState] = useState<ViewState>(controller.state);
  const [lang, setLang] = useState<Lang>(storedLang);
  useEffect(() => {
    const unsubscribe = controller.subscribe(setState);
    // The controller may have moved on between the first render and this effect (a fast 401 after a reload).
    setState(controller.state);
    return unsubscribe;
  }, [controller]);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = i18nFor(lang).t('title');
    try {
      window.localStorage.setItem(LANG_STORAGE, lang);
    } catch {
      // Storage refused (private mode): the choice lasts for this page only.
    }
  }, [lang]);
  const switchLang = useCallback(() => setLang((current) => (current === 'zh-CN' ? 'en' : 'zh-CN')), []);
  // Stable objects, so memoised tiles and panels do not re-render because of a new callback.
  const agentActions = useMemo<AgentActions>(() => ({ setAvailability: (extension, available) => void controller.setAvailability(extension, available) }), [controller]);
  const taskActions = useMemo<TaskActions>(() => ({ runTaskCommand: (taskId, command) => void controller.runTaskCommand(taskId, command) }), [controller]);
  const i18n = i18nFor(lang);
  // Viewers get no buttons at all (not rendered, not merely disabled).
  const canOperate = state.gateway !== null && state.gateway.role !== 'VIEWER';
  return (
    <I18nContext.Provider value={i18n}>
      <Header
        gateway={state.gateway}
        connection={state.connection}
        reloading={state.reloading}
        onSwitchLang={switchLang}
        onForgetKey={() => controller.forgetKey()}
      />
      {state.phase === 'key' ? (
        <main class="center">
          <KeyForm rejected={state.keyRejected} onSubmit={(key) => controller.submitKey(key)} />
        </main>
      ) : state.phase !== 'ready' ? (
        <main class="center">
          <p class="muted" role="status">
            {state.failure ? i18n.t('load.failed', { message: state.failure }) : i18n.t('loading')}
          </p>
        </main>
      ) : (
        <main class="board">
          <AgentGrid tiles={state.tiles} order={state.order} totalAgents={state.totalAgents} canOperate={canOperate} actions={agentActions} />
          <aside class="side">
            <QueuePanel queues={state.queues} stats={state.queueStats} />
            <TaskPanel tasks={state.tasks} stats={state.taskStats} aiUnavailable={state.aiUnavailable} canOperate={canOperate} actions={taskActions} />
            <CallFeed calls={state.calls} />
          </aside>
        </main>
      )}
      <Toasts toasts={state.toasts} onDismiss={(id) => controller.dismissToast(id)} />
    </I18nContext.Provider>
  );
}
