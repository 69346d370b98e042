import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SimContext, SimResponse } from '../types.ts';
import type { SipState } from './state.ts';

/** Recordings are kept this long after the call (the manual: "saved for 3 months"). */
export const RECORDING_RETENTION_MS = 90 * 24 * 3_600_000;

export const RECORDINGS_PATH = '/recordings/';

export interface RecordingLinks {
  /** A signed download URL for a recording, valid `ttlMs` on the simulator clock. */
  link(filename: string): { url: string; expiresAt: number };
  /** Serves `GET /recordings/<filename>?expires=…&sig=…`: the WAV while the link is valid, 403 after. */
  serve(filename: string, query: URLSearchParams): SimResponse;
}

export function createRecordingLinks(ctx: SimContext, state: SipState, ttlMs: number): RecordingLinks {
  const secret = randomBytes(32);
  const sign = (filename: string, expires: string) =>
    createHmac('sha256', secret).update(`${filename}\n${expires}`).digest('hex').slice(0, 32);

  return {
    link(filename) {
      const expiresAt = ctx.now() + ttlMs;
      const expires = String(Math.floor(expiresAt / 1000));
      const url = new URL(RECORDINGS_PATH + encodeURIComponent(filename), ctx.publicUrl());
      url.searchParams.set('expires', expires);
      url.searchParams.set('sig', sign(filename, expires));
      return { url: url.toString(), expiresAt };
    },
    serve(filename, query) {
      const expires = query.get('expires') ?? '';
      const sig = query.get('sig') ?? '';
      const expected = Buffer.from(sign(filename, expires));
      const given = Buffer.from(sig);
      if (!/^\d+$/.test(expires) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return text(403, 'invalid signature');
      }
      if (Number(expires) * 1000 <= ctx.now()) return text(403, 'link expired');
      const bill = state.billByRecording(filename);
      if (!bill || bill.endtime + RECORDING_RETENTION_MS <= ctx.now()) return text(404, 'no such recording');
      return {
        status: 200,
        headers: { 'content-type': 'audio/wav', 'content-disposition': `attachment; filename="${filename}"` },
        body: silentWav(),
      };
    },
  };
}

function text(status: number, body: string): SimResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

let wav: Buffer | undefined;

/** A valid WAV: 0.25 s of 8 kHz 16-bit mono silence (telephony's usual format). */
export function silentWav(): Buffer {
  if (wav) return wav;
  const sampleRate = 8_000;
  const dataBytes = (sampleRate / 4) * 2;
  const buffer = Buffer.alloc(44 + dataBytes);
  buffer.write('RIFF', 0, 'ascii');
  buffer.writeUInt32LE(36 + dataBytes, 4);
  buffer.write('WAVE', 8, 'ascii');
  buffer.write('fmt ', 12, 'ascii');
  buffer.writeUInt32LE(16, 16); // fmt chunk size
  buffer.writeUInt16LE(1, 20); // PCM
  buffer.writeUInt16LE(1, 22); // mono
  buffer.writeUInt32LE(sampleRate, 24);
  buffer.writeUInt32LE(sampleRate * 2, 28); // byte rate
  buffer.writeUInt16LE(2, 32); // block align
  buffer.writeUInt16LE(16, 34); // bits per sample
  buffer.write('data', 36, 'ascii');
  buffer.writeUInt32LE(dataBytes, 40);
  wav = buffer;
  return buffer;
}
