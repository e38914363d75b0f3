import type { IncomingMessage, ServerResponse } from 'node:http';

/** A refusal with its HTTP status, error code and a message that says the fix. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

/** Sends a JSON body; nothing is cached, since every answer describes the present. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

/** Sends `{ "error": { "code", "message" } }` with the error's status. */
export function sendError(response: ServerResponse, error: HttpError): void {
  sendJson(response, error.status, { error: { code: error.code, message: error.message } }, error.headers);
}

/**
 * Reads a JSON request body of at most `maxBytes`. A body that is not JSON, is not labelled
 * `application/json` or is too large is refused before anything is done with it.
 */
export async function readJson(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  // Required, not assumed: a browser can send a cross-site POST without a preflight only as a form,
  // text or a typeless blob, so with a cookie-based check this is what stops a forged publish.
  const type = request.headers['content-type'];
  if (type === undefined || !/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `Send the body as JSON with Content-Type: application/json${type ? `, not ${type.slice(0, 60)}` : ''}`);
  }
  const declared = Number(request.headers['content-length']);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'BAD_REQUEST', 'The body is empty: send the message as JSON, e.g. {"text":"hello"}');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, 'BAD_REQUEST', `The body is not valid JSON: ${(error as Error).message}`);
  }
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'TOO_LARGE', `The body is larger than ${maxBytes} bytes (the ops option maxBodyBytes)`);
}

/** The path segment after `prefix` in `route`, decoded; undefined when `route` does not start with it. */
export function param(route: string, prefix: string, suffix = ''): string | undefined {
  if (!route.startsWith(prefix) || !route.endsWith(suffix) || route.length <= prefix.length + suffix.length) return undefined;
  const raw = route.slice(prefix.length, route.length - suffix.length);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', `Cannot decode ${JSON.stringify(raw.slice(0, 100))}: percent-encode the name`);
  }
}
