import type { ServerResponse } from 'node:http';

/** A JSON answer with its length, for the routes node:http answers itself (health, callbacks, body limits). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}
