import type { ConnectionState } from '../live.ts';
import type { GatewaySummary } from '../controller.ts';
import { useI18n } from '../i18n-context.ts';

export function Header(props: {
  gateway: GatewaySummary | null;
  connection: ConnectionState;
  reloading: boolean;
  onSwitchLang(): void;
  onForgetKey(): void;
}) {
  const { t } = useI18n();
  const { gateway, connection } = props;
  return (
    <header class="top">
      <h1>{t('title')}</h1>
      {gateway && <span class="muted version">{t('version', { version: gateway.version })}</span>}
      {gateway?.demo && <span class="badge demo">{t('demo')}</span>}
      <span class="spacer" />
      {props.reloading && <span class="muted">{t('reloading')}</span>}
      <span class={`connection connection-${connection}`} data-testid="connection" data-state={connection} role="status">
        <span class="dot" aria-hidden="true" />
        {t(`connection.${connection}`)}
      </span>
      <button type="button" class="ghost" data-testid="lang-switch" title={t('lang.switchTitle')} onClick={props.onSwitchLang}>
        {t('lang.switch')}
      </button>
      {/* Demo mode takes no key: nothing to forget. */}
      {!gateway?.demo && (
        <button type="button" class="ghost" data-testid="forget-key" onClick={props.onForgetKey}>
          {t('key.forget')}
        </button>
      )}
    </header>
  );
}
