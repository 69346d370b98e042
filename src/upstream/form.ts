import { randomBytes } from 'node:crypto';

export type FormEncoding = 'multipart' | 'urlencoded';

export interface EncodedForm {
  contentType: string;
  body: Buffer;
}

/**
 * Encodes string fields the way the SIP manual's PHP curl does (an array body → multipart/form-data, one part per field,
 * no part content type), or url-encoded for servers that want that. Hand-written because the fields are always
 * plain strings, and building the buffer directly is far cheaper than a FormData stream on the hot path.
 */
export function encodeForm(fields: Readonly<Record<string, string>>, encoding: FormEncoding): EncodedForm {
  if (encoding === 'urlencoded') {
    return {
      contentType: 'application/x-www-form-urlencoded',
      body: Buffer.from(new URLSearchParams(fields).toString(), 'utf8'),
    };
  }
  const values = Object.values(fields);
  let boundary = newBoundary();
  while (values.some((value) => value.includes(boundary))) boundary = newBoundary();
  let text = '';
  for (const [name, value] of Object.entries(fields)) {
    text += `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"\r\n\r\n${value}\r\n`;
  }
  text += `--${boundary}--\r\n`;
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.from(text, 'utf8') };
}

function newBoundary(): string {
  return `------------------------${randomBytes(12).toString('hex')}`;
}

function escapeName(name: string): string {
  return name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
