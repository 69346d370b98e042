import { describe, expect, it } from 'vitest';
import { formatDuration, timeInState } from '../../src/wallboard/lib/format.ts';
import { DICTIONARIES, formatters, type MessageKey, parseLang, translate } from '../../src/wallboard/lib/i18n.ts';
import { PRESENCE_STATES } from '../../src/wallboard/lib/agents.ts';

describe('wallboard i18n', () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

  it('has every label in both languages, with the same placeholders', () => {
    const zh = DICTIONARIES['zh-CN'];
    const en = DICTIONARIES.en;
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
    for (const key of Object.keys(zh) as MessageKey[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(zh[key]));
      expect(en[key].length, key).toBeGreaterThan(0);
    }
  });

  it('names every presence state', () => {
    for (const state of PRESENCE_STATES) {
      expect(DICTIONARIES['zh-CN'][`state.${state}`]).toBeTruthy();
      expect(DICTIONARIES.en[`state.${state}`]).toBeTruthy();
    }
  });

  it('fills placeholders and defaults to Chinese', () => {
    expect(translate('en', 'agents.count', { shown: 3, total: 10 })).toBe('3 / 10 agents');
    expect(translate('zh-CN', 'state.RINGING')).toBe('振铃');
    expect(parseLang(null)).toBe('zh-CN');
    expect(parseLang('fr')).toBe('zh-CN');
    expect(parseLang('en')).toBe('en');
  });

  it('formats numbers with Intl', () => {
    expect(formatters('en').count(12345)).toBe('12,345');
    expect(formatters('en').percent(87.5)).toBe('87.5%');
    expect(formatters('en').percent(null)).toBe('—');
    expect(formatters('en').seconds(12.34)).toBe('12.3 s');
  });
});

describe('wallboard time in state', () => {
  it('formats m:ss, then h:mm:ss, never negative', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65.9)).toBe('1:05');
    expect(formatDuration(3600 + 62)).toBe('1:01:02');
    expect(formatDuration(-5)).toBe('0:00');
    expect(timeInState(null, 1000)).toBe('');
    expect(timeInState(1000, 126_000)).toBe('2:05');
  });
});
