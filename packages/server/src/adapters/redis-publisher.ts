import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { endpointOf, type RedisEndpoint } from './redis-cluster.js';
import { corkForTurn } from './redis-watchdog.js';

// The bus's PUBLISHes on a single Redis go through this link instead of ioredis. A hub publishes a
// message for each topic or chat message and an envelope per room per presence tick, and the answer
// (the number of subscribers that got it) tells it nothing it acts on. Through ioredis each one was a
// Command, a promise and, above all, a second wake of the event loop when its answer arrived: at
// 500 publishes/s that wake was about 40 % of what a publish cost (A/B, benchmarks.md). Here a
// publish is written and done; the link reads its answers only once per tick (the socket is not read
// in between), counts them, and reports the publishes Redis refused or did not answer within the
// timeout. Answers queue in the kernel meanwhile: four bytes each.

const TICKS = 3;
/** Bytes of publishes held for a link that is down or not reading; past this, publishes are lost (and counted). */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;
const CRLF = 10; // a reply ends at '\n'; every reply on this link is one line

/** What the link tells its owner about publishes it already took. */
export interface PublisherEvents {
  /** `count` publishes did not reach Redis, or Redis refused them (`error` says which). */
  lost(count: number, error: Error): void;
  /** After a loss, the link takes publishes again: what was lost meanwhile may need saying again. */
  recovered(): void;
}

/**
 * A write-only link to a single Redis for PUBLISH. Emits 'ready' (connected, authenticated and
 * answering), 'close' and 'error' like an ioredis client, so the adapter watches it the same way.
 */
export class RedisPublisher extends EventEmitter {
  status: 'idle' | 'connecting' | 'ready' | 'end' = 'idle';
  private socket: net.Socket | undefined;
  private readonly target: RedisEndpoint;
  /** Publishes written to the current socket, and answers read from it. */
  private written = 0;
  private answered = 0;
  /** Publishes already counted lost on the current socket (unanswered in time), so none is counted twice. */
  private givenUp = 0;
  /** `written` at each of the last ticks, oldest first: what must be answered by now. */
  private readonly marks: number[] = [];
  /** Publishes waiting for a link, with the tick they came in. */
  private queue: { command: string; tick: number }[] = [];
  private queuedBytes = 0;
  private ticks = 0;
  private ticker: NodeJS.Timeout | undefined;
  private corked = false;
  private attempts = 0;
  private retry: NodeJS.Timeout | undefined;
  /** During the handshake: how many answers it still waits for. */
  private handshake = 0;
  /** An error reply being read, across chunks. */
  private errorLine: string | undefined;
  private atLineStart = true;
  private readonly chunk = Buffer.allocUnsafe(64 * 1024);
  private closed: (() => void) | undefined;
  /** The tick the current socket was opened in, while it is not ready. */
  private openedAt = 0;
  /** Publishes were lost since the link last took them. */
  private lossPending = false;

  constructor(url: string, private readonly timeoutMs: number, private readonly events: PublisherEvents) {
    super();
    this.target = endpointOf(url);
  }

  /** Starts connecting: 'ready' follows; a failure is an 'error' event, and the link keeps trying. */
  connect(): void {
    if (this.status !== 'idle') return;
    this.open();
    this.ticker = setInterval(() => this.tick(), this.timeoutMs / TICKS).unref();
  }

  /** Sends `frame` to whoever subscribes to `channel`; never throws: a lost publish goes to `events.lost`. */
  publish(channel: string, frame: string): void {
    const command = `*3\r\n$7\r\nPUBLISH\r\n$${Buffer.byteLength(channel)}\r\n${channel}\r\n$${Buffer.byteLength(frame)}\r\n${frame}\r\n`;
    const socket = this.socket;
    if (this.status === 'ready' && socket && socket.writableLength < MAX_PENDING_BYTES) {
      if (!this.corked) this.cork(socket);
      socket.write(command);
      this.written += 1;
      return;
    }
    if (this.status === 'end') return this.lose(1, new Error('Connection is closed.'));
    if (this.queuedBytes + command.length > MAX_PENDING_BYTES || this.status === 'ready') {
      return this.lose(1, new Error('Redis is not reading: too much waiting to be sent'));
    }
    this.queue.push({ command, tick: this.ticks });
    this.queuedBytes += command.length;
  }

  /** Quits politely (what was written is sent first), or cuts the link after the timeout. */
  async close(): Promise<void> {
    if (this.status === 'end') return;
    const wasReady = this.status === 'ready';
    this.status = 'end';
    clearInterval(this.ticker);
    clearTimeout(this.retry);
    if (this.queue.length > 0) this.lose(this.queue.length, new Error('Connection is closed.'));
    this.queue = [];
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.closed = resolve;
      if (!wasReady) return void socket.destroy();
      socket.resume();
      socket.end('*1\r\n$4\r\nQUIT\r\n');
      setTimeout(() => socket.destroy(), this.timeoutMs).unref();
    });
  }

  private lose(count: number, error: Error): void {
    this.lossPending = true;
    this.events.lost(count, error);
  }

  private open(): void {
    this.status = 'connecting';
    this.openedAt = this.ticks;
    const { host, port } = this.target;
    // `onread` makes pause() stop reading the socket itself (not only the stream above it), so no
    // answer wakes the process until the next tick. TLS has no such option: its answers are read as
    // they come (and still cost no promise each).
    const socket = this.target.tls
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host }).on('data', (data: Buffer) => this.read(data, data.length))
      : net.connect({ host, port, onread: { buffer: this.chunk, callback: (length) => this.read(this.chunk, length) } });
    this.socket = socket;
    this.written = this.answered = this.givenUp = 0;
    this.marks.length = 0;
    this.atLineStart = true;
    this.errorLine = undefined;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.once(this.target.tls ? 'secureConnect' : 'connect', () => this.greet(socket));
    socket.on('error', (error) => this.emit('error', error));
    socket.once('close', () => this.lost(socket));
  }

  // Ready once Redis answers: a PING, after the AUTH the URL asks for.
  private greet(socket: net.Socket): void {
    const { username, password } = this.target;
    const commands = [['PING']];
    if (password !== undefined) commands.unshift(username ? ['AUTH', username, password] : ['AUTH', password]);
    this.handshake = commands.length;
    socket.write(commands.map((args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`).join(''));
  }

  private ready(socket: net.Socket): void {
    this.status = 'ready';
    this.attempts = 0;
    socket.pause(); // answers are read once per tick, not as each one arrives
    const queue = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    if (queue.length > 0) {
      socket.cork();
      for (const { command } of queue) socket.write(command);
      socket.uncork();
      this.written += queue.length;
    }
    this.emit('ready');
    this.flowing();
  }

  private flowing(): void {
    if (!this.lossPending) return;
    this.lossPending = false;
    this.events.recovered();
  }

  private lost(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    const unanswered = this.written - Math.max(this.answered, this.givenUp);
    if (unanswered > 0) this.lose(unanswered, new Error('Connection is closed.'));
    if (this.status === 'end') return void this.closed?.();
    this.status = 'connecting';
    this.emit('close');
    // Like ioredis's default: 50 ms more per attempt, at most 2 s.
    this.retry = setTimeout(() => this.open(), Math.min(++this.attempts * 50, 2000)).unref();
  }

  // Publishes of one event-loop turn (a presence tick publishes one envelope per room) leave in one write.
  private cork(socket: net.Socket): void {
    this.corked = true;
    corkForTurn(socket, () => (this.corked = false));
  }

  private tick(): void {
    this.ticks += 1;
    const socket = this.socket;
    if (this.status === 'ready' && socket) {
      socket.resume();
      // The answers already in the kernel are read in this turn's poll phase; judge after it.
      setImmediate(() => this.judge(socket));
    } else if (this.status === 'connecting' && socket && this.ticks - this.openedAt >= TICKS) {
      socket.destroy(); // no answer to the handshake in time: try again on a new link
    }
    let late = 0;
    while (this.queue.length > 0 && this.ticks - this.queue[0]!.tick >= TICKS) {
      const { command } = this.queue.shift()!;
      this.queuedBytes -= command.length;
      late += 1;
    }
    if (late > 0) this.lose(late, new Error('Command timed out'));
  }

  private judge(socket: net.Socket): void {
    if (socket !== this.socket || this.status !== 'ready') return;
    socket.pause();
    this.marks.push(this.written);
    // What was written by the mark of TICKS - 1 ticks ago: between 2/3 and 1 × the timeout, as WatchedRedis.
    if (this.marks.length < TICKS) return;
    const due = this.marks.shift()!;
    if (this.answered > this.givenUp) this.flowing(); // answers to publishes written after a timeout: it flows again
    const settled = Math.max(this.answered, this.givenUp);
    if (due > settled) {
      this.givenUp = due;
      this.lose(due - settled, new Error('Command timed out'));
    }
  }

  private read(buffer: Buffer, length: number): true {
    let at = 0;
    while (at < length) {
      if (this.atLineStart && buffer[at] === 0x2d /* '-' */) this.errorLine = '';
      const end = buffer.indexOf(CRLF, at);
      const lineEnd = end === -1 || end >= length ? length : end;
      if (this.errorLine !== undefined) this.errorLine += buffer.toString('latin1', at, lineEnd);
      if (lineEnd === length) {
        this.atLineStart = false;
        break;
      }
      this.atLineStart = true;
      at = lineEnd + 1;
      const error = this.errorLine;
      this.errorLine = undefined;
      this.answer(error === undefined ? undefined : error.slice(1).trimEnd());
    }
    return true;
  }

  private answer(error: string | undefined): void {
    const socket = this.socket!;
    if (this.handshake > 0) {
      this.handshake -= 1;
      if (error !== undefined) {
        this.emit('error', new Error(`Redis refused the publishing link's handshake: ${error}`));
        return void socket.destroy();
      }
      if (this.handshake === 0) this.ready(socket);
      return;
    }
    this.answered += 1;
    // An answer to a publish already counted lost (late, but it came) is not counted again.
    if (error !== undefined && this.answered > this.givenUp) this.lose(1, new Error(error));
  }
}
