import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type ClientOptions, type GhostClient } from '@ghost/client';
import type { SchemaDefinition } from '@ghost/protocol';
import { createHub, type Hub, type HubOptions } from '@ghost/server';
import { whenOpen, type Cleanup } from './connect.js';

/** Where and how {@link startTestHub} serves the hub; all optional. */
export interface TestServerOptions {
  /** The port to listen on: 0 picks a free one. Pass a closed hub's `port` to restart "the same server". @default 0 */
  port?: number;
  /** The interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** The WebSocket path of the hub. @default '/ghost' */
  path?: string;
  /** The app's own routes on the same server; without it every plain HTTP request gets 404. */
  handler?: http.RequestListener;
  /** Called with `close` once the hub is up, so everything is closed when the test ends (e.g. vitest's `onTestFinished`, node:test's `(close) => t.after(close)`). */
  cleanup?: Cleanup;
  /** How long `connect` waits for a client's welcome. @default 5000 */
  connectTimeoutMs?: number;
}

/** A hub on a real HTTP server, and clients connected to it. Made by {@link startTestHub}. */
export interface TestHub<S extends SchemaDefinition = SchemaDefinition> {
  /** The hub, to publish, broadcast or read `stats()` from server code. */
  hub: Hub<S>;
  /** The HTTP server the hub is attached to. */
  server: http.Server;
  /** The port the server listens on. */
  port: number;
  /** The hub's WebSocket URL, e.g. `ws://127.0.0.1:41234/ghost`. */
  url: string;
  /**
   * A new client, resolved once connected (the hub's welcome arrived, so `client.self` is set). Rejects
   * with the client's error if the hub refuses it. Closed by {@link TestHub.close}.
   */
  connect(options?: ClientOptions<S>): Promise<GhostClient<S>>;
  /** A new client, returned at once while it is still connecting. Closed by {@link TestHub.close}. */
  client(options?: ClientOptions<S>): GhostClient<S>;
  /**
   * Closes the clients made by `connect` and `client`, then the hub, then the server. Safe to call
   * twice, and bound: pass it as it is to `afterEach`, `onTestFinished` or `t.after`.
   */
  close(): Promise<void>;
  /** The same as `close`, for `await using hub = await startTestHub()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const notFound: http.RequestListener = (_request, response) => {
  response.writeHead(404, { 'content-type': 'text/plain' });
  response.end('not found');
};

/**
 * Starts a hub on a real `node:http` server on a free port, for tests: the same code path as an app,
 * no mocks. Clients made with `connect` and `client` are closed with it.
 *
 * @example
 * // vitest (jest: afterEach(() => hub.close()); node:test: cleanup: (close) => t.after(close))
 * const hub = await startTestHub({ tickMs: 5 }, { cleanup: onTestFinished });
 * const [ada, bob] = await Promise.all([hub.connect(), hub.connect()]);
 * const got = new Promise((resolve) => bob.topic('news').subscribe(resolve));
 * await waitFor(() => hub.hub.stats().topics === 1); // bob's subscribe reached the hub
 * await ada.topic('news').publish({ headline: 'hi' });
 * expect(await got).toEqual({ headline: 'hi' });
 */
export async function startTestHub<const S extends SchemaDefinition = SchemaDefinition>(
  hubOptions: HubOptions<S> = {},
  options: TestServerOptions = {},
): Promise<TestHub<S>> {
  const path = options.path ?? '/ghost';
  const host = options.host ?? '127.0.0.1';
  const server = http.createServer(options.handler ?? notFound);
  const hub = createHub(hubOptions);
  hub.attach(server, { path });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await hub.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
  const clients = new Set<GhostClient<S>>();
  let closing: Promise<void> | undefined;

  const client = (clientOptions: ClientOptions<S> = {}) => {
    const made = createClient<S>(url, clientOptions);
    clients.add(made);
    return made;
  };
  const close = () =>
    (closing ??= (async () => {
      // Clients first: closed after the hub, they would start reconnecting to it.
      await Promise.all([...clients].map((c) => c.close()));
      await hub.close();
      // Upgraded sockets are not the server's connections any more; the hub closed those above.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    })());
  const testHub: TestHub<S> = {
    hub,
    server,
    port,
    url,
    client,
    async connect(clientOptions = {}) {
      const made = client(clientOptions);
      try {
        await whenOpen(made, { timeoutMs: options.connectTimeoutMs });
      } catch (error) {
        await made.close();
        throw error;
      }
      return made;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
  options.cleanup?.(close);
  return testHub;
}
