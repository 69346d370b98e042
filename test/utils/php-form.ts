/**
 * Posts fields the way the manual's PHP examples do (`curl_setopt($curl, CURLOPT_POSTFIELDS, $postFields)` with an
 * array: multipart/form-data, one part per field, every value as its text), using Node's own fetch and FormData so
 * that nothing of the gateway's form encoder is involved.
 */

export type PhpPostFields = Readonly<Record<string, string | number>>;

export interface PhpReply {
  status: number;
  /** The content type the request went out with (checks that it really was multipart). */
  sentContentType: string;
  text: string;
  json: any;
}

export async function postPhpForm(url: string, fields: PhpPostFields): Promise<PhpReply> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, String(value));
  const request = new Request(url, { method: 'POST', body: form });
  const sentContentType = request.headers.get('content-type') ?? '';
  const response = await fetch(request);
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the test reads `text`
  }
  return { status: response.status, sentContentType, text, json };
}
