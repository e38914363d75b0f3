import WebSocketImpl from 'isomorphic-ws';
import { CloseCode, ErrorCode, GhostError, PROTOCOL_VERSION, closeReaction, parseFrame, retryAfterOf, type ServerMessage } from '@ghost/protocol';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { OPEN, type SocketConstructor, type SocketLike } from './websocket.js';

/**
 * The client's public status:
 * - `connecting`: the first attempt is under way;
 * - `open`: welcomed by the hub; messages flow;
 * - `reconnecting`: the link dropped, or an attempt failed; waiting for or making the next attempt;
 * - `closed`: `client.close()` was called, or the hub refused the client (see the `error` event).
 */
export type ClientStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The `welcome` the hub sends first on every connection. */
export interface Welcome {
  id: string;
  /** Absent from hubs older than this field. */
  member?: string;
  color: string;
  user?: unknown;
  resumed: boolean;
  resume: string;
  heartbeatMs: number;
  maxFrameBytes: number;
}

/** Query parameters added to the URL of every connection attempt, such as a fresh token. */
export type ParamsProvider = Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);

export interface ConnectionOptions {
  url: URL;
  WebSocket: SocketConstructor | undefined;
  backoff: BackoffOptions;
  connectTimeoutMs: number;
  stableAfterMs: number;
  params: ParamsProvider | undefined;
}

export interface ConnectionHooks {
  welcome(welcome: Welcome): void;
  /** Any message but `welcome` and `ping`, which the connection answers itself. */
  message(message: ServerMessage): void;
  /** `reason`: why, when the status changed because something failed (an attempt, or a refusal). */
  status(status: ClientStatus, reason: GhostError | undefined): void;
  /** The first attempt of an outage failed (`UNREACHABLE`); the retries go on. */
  failed(error: GhostError): void;
  /** The hub refused the client (or the client was closed); no more attempts will be made. */
  stopped(error: GhostError | undefined): void;
}

/** What went wrong with one attempt, before the delay of the next one is known. */
interface Failure {
  code: ErrorCode;
  detail: string;
  cause?: unknown;
}

// How a refusal reads as an error; any other code of the refusal range reads as FORBIDDEN.
const REFUSALS: Record<number, ErrorCode> = {
  [CloseCode.UNAUTHORIZED]: ErrorCode.UNAUTHORIZED,
  [CloseCode.VERSION_MISMATCH]: ErrorCode.VERSION_MISMATCH,
};

/**
 * One logical link to the hub over a series of sockets: connects, waits for the welcome, watches the
 * heartbeat, and reconnects with backoff until the hub refuses or the app closes it.
 */
export class Connection {
  status: ClientStatus = 'connecting';
  private socket: SocketLike | undefined;
  private attempt = 0;
  private resumeToken: string | undefined;
  private lastReceived = 0;
  private heartbeatMs = 0;
  private timers: { retry?: ReturnType<typeof setTimeout>; connect?: ReturnType<typeof setTimeout>; stable?: ReturnType<typeof setTimeout>; watchdog?: ReturnType<typeof setInterval> } = {};
  private stopped = false;
  // Until then the hub asked us to stay away (a retry-after hint): coming online or visible does not
  // cut that wait short, or every client of a draining node would be back at once.
  private quietUntil = 0;
  // The kinds of failure (UNREACHABLE, a params() that threw) reported since the last welcome: each is
  // reported once per outage, not on every retry (a dead address would otherwise warn every few
  // seconds for ever), but a new kind is news: a token service going down while the hub is away.
  private readonly reported = new Set<ErrorCode>();
  /** This client instance's id: the hub uses it to deliver a publish resent after a reconnect once. */
  private readonly clientId = randomId();

  constructor(private readonly options: ConnectionOptions, private readonly hooks: ConnectionHooks) {}

  start(): void {
    this.watchEnvironment();
    void this.connect();
  }

  /**
   * In a browser, the moment the network comes back or the tab becomes visible is the moment to try:
   * a waiting reconnect goes at once instead of sleeping out its backoff.
   */
  private watchEnvironment(): void {
    const target = globalThis as { addEventListener?: (type: string, fn: () => void) => void; removeEventListener?: (type: string, fn: () => void) => void; document?: { visibilityState?: string } };
    if (typeof target.addEventListener !== 'function') return;
    const now = () => {
      if (this.stopped || this.status !== 'reconnecting' || this.timers.retry === undefined) return;
      if (target.document?.visibilityState === 'hidden' || Date.now() < this.quietUntil) return;
      clearTimeout(this.timers.retry);
      this.timers.retry = undefined;
      void this.connect();
    };
    target.addEventListener('online', now);
    target.addEventListener('visibilitychange', now);
    this.unwatchEnvironment = () => {
      target.removeEventListener?.('online', now);
      target.removeEventListener?.('visibilitychange', now);
    };
  }

  private unwatchEnvironment: () => void = () => undefined;

  /** Sends a frame on the open socket; false when there is none (the caller queues or drops). */
  send(frame: string): boolean {
    if (this.status !== 'open' || !this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(frame);
    return true;
  }

  /** Closes for good (code 1000: the hub ends the connection at once, with no grace period). */
  /** Resolves once the socket has closed (or after a second, if the hub never answers the close). */
  close(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.stopped = true;
    this.unwatchEnvironment();
    const socket = this.socket;
    this.detach();
    const closed = new Promise<void>((resolve) => {
      if (!socket || socket.readyState !== OPEN) return resolve();
      const timer = setTimeout(resolve, 1000);
      socket.onclose = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    try {
      socket?.close(CloseCode.NORMAL, 'client closed');
    } catch {
      // closing a socket that is still connecting may throw in some implementations
    }
    this.setStatus('closed');
    this.hooks.stopped(undefined);
    return closed;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let url: URL;
    try {
      url = await this.buildUrl();
    } catch (error) {
      this.retryLater(0, { code: ErrorCode.INTERNAL, detail: `params() threw: ${messageOf(error) ?? String(error)}`, cause: error });
      return;
    }
    if (this.stopped) return;
    const Impl = this.options.WebSocket ?? (WebSocketImpl as unknown as SocketConstructor | undefined);
    if (!Impl) {
      this.stop(new GhostError(ErrorCode.NOT_SENT, 'No WebSocket implementation: pass { WebSocket } to createClient'));
      return;
    }
    let socket: SocketLike;
    try {
      socket = new Impl(url.toString());
    } catch (error) {
      this.retryLater(0, { code: ErrorCode.UNREACHABLE, detail: messageOf(error) ?? String(error), cause: error });
      return;
    }
    this.socket = socket;
    this.timers.connect = setTimeout(() => this.drop('connect timeout', `no welcome within ${this.options.connectTimeoutMs} ms`), this.options.connectTimeoutMs);
    socket.onmessage = (event) => this.onFrame(event.data);
    // A close event always follows an error. `ws` says what failed (`connect ECONNREFUSED …`); a
    // browser says nothing, on purpose, and the close code is all there is.
    let error: unknown;
    socket.onerror = (event) => void (error = event);
    socket.onclose = (event) => this.onClose(event.code, event.reason, error);
  }

  private async buildUrl(): Promise<URL> {
    const url = new URL(this.options.url.toString());
    const { params } = this.options;
    const extra = typeof params === 'function' ? await params() : params;
    for (const [key, value] of Object.entries(extra ?? {})) url.searchParams.set(key, value);
    url.searchParams.set('v', String(PROTOCOL_VERSION));
    url.searchParams.set('client', this.clientId);
    if (this.resumeToken) url.searchParams.set('resume', this.resumeToken);
    return url;
  }

  private onFrame(data: unknown): void {
    this.lastReceived = Date.now();
    if (typeof data !== 'string') return; // the hub only sends text
    const parsed = parseFrame(data);
    if (!parsed.ok) return;
    // The one place a frame is taken for a ServerMessage: the client trusts its hub and leaves zod out
    // of the browser (the tests check the hub's frames against the schemas instead). A type from a
    // newer hub matches no case of any switch and is ignored.
    const message = parsed.value as ServerMessage;
    if (message.type === 'ping') {
      this.send('{"type":"pong"}');
      return;
    }
    if (message.type === 'welcome') {
      if (message.v !== PROTOCOL_VERSION) {
        this.stop(new GhostError(ErrorCode.VERSION_MISMATCH, `The hub speaks protocol ${String(message.v)}; this client speaks ${PROTOCOL_VERSION}`));
        return;
      }
      this.onWelcome(message);
      return;
    }
    this.hooks.message(message);
  }

  private onWelcome(welcome: Welcome): void {
    clearTimeout(this.timers.connect);
    this.resumeToken = welcome.resume;
    this.heartbeatMs = welcome.heartbeatMs;
    // The retry count resets only once the link has stayed up a while: a hub that accepts and drops
    // at once still gets backoff.
    this.timers.stable = setTimeout(() => (this.attempt = 0), this.options.stableAfterMs);
    this.reported.clear();
    this.timers.watchdog = setInterval(() => {
      if (Date.now() - this.lastReceived > 2 * this.heartbeatMs) this.drop('heartbeat missed');
    }, this.heartbeatMs);
    // Open for sending before the welcome hook restores state, but announced only after it, so a
    // status listener already sees the new `self`.
    this.status = 'open';
    this.hooks.welcome(welcome);
    this.hooks.status('open', undefined);
  }

  private onClose(code: number, reason: string, error: unknown): void {
    const welcomed = this.status === 'open';
    this.detach();
    if (this.stopped) return;
    const reaction = closeReaction(code);
    if (reaction === 'stop') {
      const errorCode = REFUSALS[code] ?? ErrorCode.FORBIDDEN;
      this.stop(code === CloseCode.NORMAL || code === CloseCode.REPLACED ? undefined : new GhostError(errorCode, `The hub refused the connection (${code}${reason ? `: ${reason}` : ''})`));
      return;
    }
    // 'reauthenticate' retries like any drop: `params` is called again on every attempt, which is
    // where fresh credentials come from, and backoff keeps a hub that keeps refusing from a tight loop.
    const detail = messageOf(error) ?? `the socket closed (${code}${reason ? `: ${reason}` : ''}) before the hub's welcome`;
    this.retryLater(retryAfterOf(reason), welcomed ? undefined : { code: ErrorCode.UNREACHABLE, detail, cause: error });
  }

  /**
   * Gives up on a socket that is silent or stuck, without waiting for a close that may never come.
   * `failure`: what to report when the socket never got its welcome (a failed attempt).
   */
  private drop(why: string, failure?: string): void {
    const welcomed = this.status === 'open';
    const socket = this.socket;
    this.detach();
    try {
      // Not 1000: the hub must keep the session for its grace period, since this link may only be slow.
      socket?.close(CloseCode.HEARTBEAT_TIMEOUT, why);
    } catch {
      // still connecting: nothing to close politely
    }
    if (!this.stopped) this.retryLater(0, welcomed ? undefined : { code: ErrorCode.UNREACHABLE, detail: failure ?? why });
  }

  /**
   * Schedules the next attempt; a hub's retry-after hint comes first, the usual jittered backoff on top.
   * The first `failure` of each kind in an outage goes with the status and on the `error` event.
   */
  private retryLater(retryAfterMs = 0, failure?: Failure): void {
    this.quietUntil = Date.now() + retryAfterMs;
    const delay = retryAfterMs + backoffDelay(this.attempt, this.options.backoff);
    const report = failure && !this.reported.has(failure.code) ? this.describe(failure, delay) : undefined;
    if (failure) this.reported.add(failure.code);
    this.setStatus('reconnecting', report);
    if (report) this.hooks.failed(report);
    this.attempt += 1;
    this.timers.retry = setTimeout(() => {
      this.timers.retry = undefined;
      void this.connect();
    }, delay);
  }

  private stop(error: GhostError | undefined): void {
    this.stopped = true;
    this.unwatchEnvironment();
    const socket = this.socket;
    this.detach();
    try {
      socket?.close(CloseCode.NORMAL, error?.code ?? 'stopped');
    } catch {
      // already closing
    }
    this.setStatus('closed', error);
    this.hooks.stopped(error);
  }

  private describe(failure: Failure, delay: number): GhostError {
    // The address without its query: the parameters may hold a token.
    const { origin, pathname } = this.options.url;
    const what = failure.code === ErrorCode.UNREACHABLE ? `Could not reach the hub at ${origin}${pathname}` : 'Could not connect';
    return new GhostError(failure.code, `${what}: ${failure.detail}; retrying (next attempt in ${delay} ms)`, { cause: failure.cause });
  }

  private detach(): void {
    const socket = this.socket;
    if (socket) {
      socket.onmessage = null;
      socket.onclose = null;
      socket.onopen = null;
      socket.onerror = () => undefined;
    }
    this.socket = undefined;
    clearTimeout(this.timers.retry);
    clearTimeout(this.timers.connect);
    clearTimeout(this.timers.stable);
    clearInterval(this.timers.watchdog);
    this.timers = {};
  }

  private setStatus(status: ClientStatus, reason?: GhostError): void {
    if (this.status === status) return;
    this.status = status;
    this.hooks.status(status, reason);
  }
}

function randomId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[b & 63]).join('');
}

/** What an error (or a socket's error event, as `ws` makes it) says, if anything. */
function messageOf(error: unknown): string | undefined {
  const value = error as { message?: unknown; error?: { message?: unknown } } | undefined;
  const message = value?.message ?? value?.error?.message;
  return typeof message === 'string' && message !== '' ? message : undefined;
}
