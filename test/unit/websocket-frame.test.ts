import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { textFrame } from '../../src/server/websocket.ts';

/**
 * The whole frames shared subscriptions write straight to the TCP socket (src/server/websocket.ts): read back by ws's
 * own client-side frame parser, at each length encoding's edges and with multi-byte UTF-8.
 */

type ReceiverClass = new (options: { isServer: boolean; maxPayload: number }) => Writable;
// ws exports its frame parser, untyped by @types/ws.
const { Receiver } = ws as unknown as { Receiver: ReceiverClass };

function parseFrames(bytes: Buffer): Array<{ text: string; binary: boolean }> {
  const receiver = new Receiver({ isServer: false, maxPayload: 0 });
  const messages: Array<{ text: string; binary: boolean }> = [];
  receiver.on('message', (data: Buffer, binary: boolean) => messages.push({ text: data.toString('utf8'), binary }));
  receiver.on('error', (error: Error) => {
    throw error;
  });
  receiver.write(bytes);
  return messages;
}

describe('textFrame', () => {
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 70_000])('a %i-byte text comes back whole, as one text message', (size) => {
    const text = 'x'.repeat(size);
    const frame = textFrame(text);
    const header = size < 126 ? 2 : size < 65_536 ? 4 : 10;
    expect(frame.length).toBe(header + size);
    expect(parseFrames(frame)).toEqual([{ text, binary: false }]);
  });

  it('counts UTF-8 bytes, not characters; frames written back to back stay apart', () => {
    const texts = ['{"id":"1","type":"next","payload":{"data":{"name":"Zoë 张三 🎧"}}}', 'é'.repeat(100)];
    expect(parseFrames(Buffer.concat(texts.map(textFrame)))).toEqual(texts.map((text) => ({ text, binary: false })));
  });
});
