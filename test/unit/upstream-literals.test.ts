import { describe, expect, it } from 'vitest';
import { encodeForm } from '../../src/upstream/form.ts';
import { SipCode, SipRet, SipService, decodeSipCode } from '../../src/upstream/sip/codes.ts';

/**
 * Literal inputs and outputs, written out by hand, for code the gateway shares with its simulator (the form encoder,
 * the SIP code tables): a symmetric bug passes every test that goes through both, but not these.
 * (Shanghai time ↔ instant literals are in test/unit/time.test.ts.)
 */

describe('SIP form bodies, byte for byte', () => {
  it('url-encoded: spaces as +, reserved characters and UTF-8 percent-encoded, fields in insertion order', () => {
    const form = encodeForm({ service: 'App.Sip_Auth.Login', appid: 'a b&c=d', name: '张三', plus: '1+1' }, 'urlencoded');
    expect(form.contentType).toBe('application/x-www-form-urlencoded');
    expect(form.body.toString('latin1')).toBe('service=App.Sip_Auth.Login&appid=a+b%26c%3Dd&name=%E5%BC%A0%E4%B8%89&plus=1%2B1');
  });

  it('multipart: one part per field, no part content type, CRLF line ends, UTF-8 values as they are', () => {
    const form = encodeForm({ service: 'App.Sip_Queue.GetQueueList', token: 'abc', name: '张三' }, 'multipart');
    const boundary = /^multipart\/form-data; boundary=(-{24}[0-9a-f]{24})$/.exec(form.contentType)?.[1];
    expect(boundary).toBeDefined();
    const expected =
      `--${boundary}\r\nContent-Disposition: form-data; name="service"\r\n\r\nApp.Sip_Queue.GetQueueList\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="token"\r\n\r\nabc\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n\xE5\xBC\xA0\xE4\xB8\x89\r\n` +
      `--${boundary}--\r\n`;
    expect(form.body.toString('latin1')).toBe(expected);
  });

  it('multipart: a quote or line break in a field name is percent-escaped', () => {
    const form = encodeForm({ 'a"b\r\nc': 'v' }, 'multipart');
    const boundary = form.contentType.split('boundary=')[1];
    expect(form.body.toString('utf8')).toBe(`--${boundary}\r\nContent-Disposition: form-data; name="a%22b%0D%0Ac"\r\n\r\nv\r\n--${boundary}--\r\n`);
  });
});

describe('SIP code tables, number ↔ name', () => {
  it('envelope rets and business codes have the manual’s numbers', () => {
    expect(SipRet.TokenInvalid).toBe(600);
    expect([SipCode.ServerConnectionFailed, SipCode.AbnormalOperation, SipCode.OperationFailed]).toEqual([1001, 1002, 1003]);
    expect([SipCode.ExtensionException, SipCode.IllegalExtension, SipCode.ExtensionNotFound, SipCode.ExtensionDisabled]).toEqual([1010, 1011, 1012, 1013]);
    expect([SipCode.TaskNotFound, SipCode.TaskNotStarted, SipCode.TaskInProgress, SipCode.TaskPaused, SipCode.TaskOver]).toEqual([1024, 1025, 1026, 1027, 1028]);
    expect([SipCode.IllegalQueue, SipCode.CalleeHungUp]).toEqual([1211, 10041]);
  });

  it('decodes literal wire values to their names', () => {
    expect(decodeSipCode('1012')).toEqual({ value: 1012, raw: '1012' });
    expect(decodeSipCode(1028).value).toBe(1028);
    expect(SipCode[decodeSipCode('1010').value as number]).toBe('ExtensionException');
    expect(SipCode[decodeSipCode('1024').value as number]).toBe('TaskNotFound');
  });

  it('service names are the manual’s spellings', () => {
    expect(SipService.Login).toBe('App.Sip_Auth.Login');
    expect(SipService.GetQueueList).toBe('App.Sip_Queue.GetQueueList');
  });
});
