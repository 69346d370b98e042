import { useState } from 'preact/hooks';
import { useI18n } from '../i18n-context.ts';

/** Shown when the gateway answers 401 / UNAUTHENTICATED or closes the socket with 4403. */
export function KeyForm({ rejected, onSubmit }: { rejected: boolean; onSubmit(key: string): void }) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  return (
    <form
      class="key-form panel"
      data-testid="key-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(key);
      }}
    >
      <h2>{t('key.title')}</h2>
      <p class="muted">{t('key.hint')}</p>
      {rejected && <p class="warning" role="alert">{t('key.rejected')}</p>}
      <label>
        <span>{t('key.label')}</span>
        <input name="key" type="password" autocomplete="off" required value={key} onInput={(event) => setKey((event.currentTarget as HTMLInputElement).value)} />
      </label>
      <button type="submit">{t('key.submit')}</button>
    </form>
  );
}
