// The pub/sub demo: a page to subscribe to any topic and publish to it, plus two HTTP routes that
// reach every WebSocket client from the server: POST /publish/:topic (to a topic's subscribers) and
// GET /ping (to everyone).
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describeInvalidName, isValidName } from '@ghost/protocol';
import { loadAssets, sendText, serveAsset, startServer, type Demo } from '@ghost-examples/shared/server';

/** Largest body `POST /publish/:topic` accepts, in bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Starts the demo on `port` (0 for any free port). */
export async function startPubsubDemo({ port = 0 }: { port?: number } = {}): Promise<Demo> {
  const assets = await loadAssets(fileURLToPath(new URL('.', import.meta.url)));
  assets.set('/', assets.get('/index.html')!);
  let pings = 0;

  return startServer(port, async (request, response, hub) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (serveAsset(assets, path, request, response)) return;

    if (path === '/ping') {
      if (request.method !== 'GET') return sendText(request, response, 405, 'Use GET /ping', { allow: 'GET' });
      const ping = ++pings;
      await hub.broadcast({ ping });
      return sendText(request, response, 200, String(ping));
    }

    if (path.startsWith('/publish/')) {
      if (request.method !== 'POST') return sendText(request, response, 405, 'Use POST /publish/TOPIC', { allow: 'POST' });
      try {
        const topic = decodeTopic(path.slice('/publish/'.length));
        if (!isValidName(topic)) throw new HttpError(400, describeInvalidName('topic', topic));
        const data = await readData(request);
        await hub.publish(topic, data);
        return sendText(request, response, 202, `Published to ${topic}`);
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        // Stop reading a body we refused; the client sees the answer, then the connection closes.
        return sendText(request, response, error.status, error.message, { connection: 'close' });
      }
    }

    sendText(request, response, 404, 'Not found');
  });
}

/** The body as JSON when it says it is JSON (`Content-Type: application/json`), else as a string. */
async function readData(request: IncomingMessage): Promise<unknown> {
  if (Number(request.headers['content-length']) > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!/^application\/(.+\+)?json\b/i.test(request.headers['content-type'] ?? '')) return text;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `The body is not valid JSON (${(error as Error).message}); send plain text without Content-Type: application/json`);
  }
}

// Bad percent-encoding stays as it is, and is then refused as an invalid name ('%' is not allowed).
function decodeTopic(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

const tooLarge = () => new HttpError(413, `The body is over ${MAX_BODY_BYTES} bytes`);
