import { describe, expect, it } from 'vitest';
import { encodeForm } from '../../src/upstream/form.ts';

/**
 * encodeForm writes multipart bodies straight into one buffer of the computed size (a TaskAdd of 10 000 numbers is a
 * ~1 MB field): the bytes must be exactly what the template form gave, for multi-byte text too, with nothing left
 * over at the end of the buffer.
 */
function expected(fields: Record<string, string>, boundary: string): string {
  let text = '';
  for (const [name, value] of Object.entries(fields)) {
    const escaped = name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    text += `--${boundary}\r\nContent-Disposition: form-data; name="${escaped}"\r\n\r\n${value}\r\n`;
  }
  return `${text}--${boundary}--\r\n`;
}

describe('encodeForm multipart', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['plain fields', { service: 'App.Sip_Yccall.TaskAdd', token: 'abc', taskid: '42' }],
    ['multi-byte text and CRLF in values', { taskname: '催收 任务 ①', telphone: '[{"phone":"13800138000","customuuid":"é\\r\\n"}]', note: 'a\r\nb' }],
    ['a quote and line breaks in a name', { 'we"ird\r\nname': 'v' }],
    ['an empty value', { empty: '' }],
    ['no fields', {}],
  ];
  it.each(cases)('%s: the same bytes as the template, and the exact length', (_name, fields) => {
    const { body, contentType } = encodeForm(fields, 'multipart');
    const boundary = /boundary=(\S+)$/.exec(contentType)?.[1] ?? '';
    expect(boundary).toMatch(/^-{24}[0-9a-f]{24}$/);
    const text = expected(fields, boundary);
    expect(body.length).toBe(Buffer.byteLength(text));
    expect(body.toString('utf8')).toBe(text);
  });

  it('a 10 000-number field: one part, byte for byte', () => {
    const telphone = JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({ phone: String(13_000_000_000 + i), time: 1_760_000_000, customuuid: `C${i}` })));
    const { body, contentType } = encodeForm({ service: 'x', telphone }, 'multipart');
    const boundary = /boundary=(\S+)$/.exec(contentType)?.[1] ?? '';
    expect(body.toString('utf8')).toBe(expected({ service: 'x', telphone }, boundary));
  });
});
