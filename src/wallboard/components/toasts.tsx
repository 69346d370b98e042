import type { Toast } from '../controller.ts';
import { useI18n } from '../i18n-context.ts';

export function Toasts({ toasts, onDismiss }: { toasts: readonly Toast[]; onDismiss(id: number): void }) {
  const { t } = useI18n();
  return (
    <div class="toasts" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.id} class={`toast toast-${toast.kind}`} data-testid="toast" role={toast.kind === 'error' ? 'alert' : 'status'}>
          <span>{t(toast.key, toast.params)}</span>
          <button type="button" class="ghost" aria-label={t('toast.dismiss')} onClick={() => onDismiss(toast.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
