import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { DEFAULT_LANG, type Formatters, formatters, type Lang, type MessageKey, type Params, translate } from './lib/i18n.ts';

/** The language, its translate function and Intl formatters, for every component (one object per language). */
export interface I18n {
  lang: Lang;
  t(key: MessageKey, params?: Params): string;
  format: Formatters & { warm(): void };
}

const cache = new Map<Lang, I18n>();

export function i18nFor(lang: Lang): I18n {
  let i18n = cache.get(lang);
  if (!i18n) {
    i18n = { lang, t: (key, params) => translate(lang, key, params), format: formatters(lang) };
    cache.set(lang, i18n);
  }
  return i18n;
}

export const I18nContext = createContext<I18n>(i18nFor(DEFAULT_LANG));

export function useI18n(): I18n {
  return useContext(I18nContext);
}
