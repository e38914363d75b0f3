// The load generator's clients: the same bare `ws` socket for every contender, speaking each one's
// wire format by hand, so that the measurer costs the same whoever it measures. No client library
// runs (not socket.io-client, not @ghost/client): cheap clients only count what arrives (a native
// `Buffer.indexOf` per frame), a few probe clients decode timestamps and sequence numbers.
//
//            join (topic / room)          publish               cursor move            chat (with ack)
// ws         {"t":"join","room":R}       {"t":"pub",…,"data"}  {"t":"pos",…,"state"}  {"t":"chat",…,"text","ref"}
// socketio   42N["join",R] (ack 43N[])   42["pub",R,D]         42["pos",R,S]          42N["chat",R,T] (ack 43N[…])
// ghost      topic.subscribe /           topic.publish         presence.track         chat.send (ack)
//            presence.join / chat.identify (each with a ref, ack)
//
// Socket.IO is engine.io v4 over a WebSocket (`?EIO=4&transport=websocket`): `0{…}` open, `40` connect,
// `2`/`3` ping/pong. Ghost: `welcome` first, `{"type":"ping"}` answered with a pong.
import type { Socket as NetSocket } from 'node:net';
import WebSocket from 'ws';
import { contenderOf, type Label } from './scenario.js';
import type { Contender } from './servers.js';

const CONNECT_TIMEOUT_MS = 30_000;

export type JoinKind = 'topic' | 'cursor' | 'chat';

interface Waiter {
  prefixes: Buffer[];
  resolve(frame: Buffer): void;
}

const PING_SIO = 0x32; // '2'
const GHOST_PING = Buffer.from('{"type":"ping"}');
/** A WebSocket ping frame's opcode. */
const PING_OPCODE = 0x9;
const ACK_PREFIX: Record<Contender, Buffer> = {
  ws: Buffer.from('{"t":"ack"'),
  'ws-coalesced': Buffer.from('{"t":"ack"'),
  'ws-tick': Buffer.from('{"t":"ack"'),
  socketio: Buffer.from('43'),
  ghost: Buffer.from('{"type":"ack"'),
};

/** Totals of the cheap clients in counting mode (see `Conn.count`). */
export interface Totals {
  /** Occurrences of the needle, minus those of the client's own marker. */
  hits: number;
  frames: number;
  /** Bytes received on the TCP socket: WebSocket headers included. */
  bytes: number;
}

export const newTotals = (): Totals => ({ hits: 0, frames: 0, bytes: 0 });

const startsWith = (frame: Buffer, prefix: Buffer) => frame.length >= prefix.length && frame.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;

export class Conn {
  readonly ws: WebSocket;
  /** The server's id for this client (Ghost connection id, Socket.IO sid, the ws room's id). */
  id = '';
  /** Ghost: the resume token of the last welcome. */
  resume = '';
  /** What the scenario does with every frame that is not a handshake, ping or awaited answer. */
  onData: (frame: Buffer) => void = () => undefined;
  private nextRef = 1;
  private readonly waiters: Waiter[] = [];
  readonly closed: Promise<number>;

  private constructor(readonly contender: Contender, url: string) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
    this.ws.on('message', (frame: Buffer) => this.receive(frame));
  }

  /** Opens a connection and completes the contender's handshake (engine.io open + connect; Ghost welcome). */
  static async open(label: Label, url: string): Promise<Conn> {
    const contender = contenderOf(label);
    const conn = new Conn(contender, url);
    const ready =
      contender === 'socketio'
        ? conn.wait(['0{']).then(() => {
            const connected = conn.wait(['40{']);
            conn.ws.send('40');
            return connected;
          })
        : contender === 'ghost'
          ? conn.wait(['{"type":"welcome"'])
          : new Promise<Buffer>((resolve, reject) => {
              conn.ws.once('open', () => resolve(Buffer.alloc(0)));
              conn.ws.once('error', reject);
            });
    let timer: NodeJS.Timeout | undefined;
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${contender}: no handshake within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      conn.ws.once('close', (code) => reject(new Error(`${contender}: closed (${code}) during the handshake`)));
      conn.ws.once('error', (error) => reject(error));
    });
    try {
      const first = await Promise.race([ready, failed]);
      if (contender === 'ghost') {
        const welcome = JSON.parse(first.toString()) as { id: string; resume: string };
        conn.id = welcome.id;
        conn.resume = welcome.resume;
      } else if (contender === 'socketio') conn.id = (JSON.parse(first.subarray(2).toString()) as { sid: string }).sid;
      return conn;
    } catch (error) {
      conn.ws.terminate();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private receive(frame: Buffer): void {
    if (this.contender === 'socketio' && frame.length === 1 && frame[0] === PING_SIO) return this.ws.send('3');
    if (this.contender === 'ghost' && frame.length === GHOST_PING.length && frame.equals(GHOST_PING)) return this.ws.send('{"type":"pong"}');
    if (this.waiters.length) {
      const i = this.waiters.findIndex((w) => w.prefixes.some((p) => startsWith(frame, p)));
      if (i >= 0) {
        this.waiters.splice(i, 1)[0]!.resolve(frame);
        return;
      }
    }
    this.onData(frame);
  }

  private wait(prefixes: string[]): Promise<Buffer> {
    return new Promise((resolve) => this.waiters.push({ prefixes: prefixes.map((p) => Buffer.from(p)), resolve }));
  }

  /** The answer prefixes of a request with `ref` (the ref must not match a longer one: 1 vs 12). */
  private ackOf(ref: number): string[] {
    if (this.contender === 'socketio') return [`43${ref}[`];
    if (this.contender === 'ghost') return [`{"type":"ack","ref":${ref}}`, `{"type":"ack","ref":${ref},`];
    return [`{"t":"ack","ref":${ref}}`, `{"t":"ack","ref":${ref},`];
  }

  /** Joins a room (topic subscribe, presence watch, chat identify for Ghost) and waits until the server confirmed. */
  async join(room: string, kind: JoinKind, name = 'user'): Promise<void> {
    const r = JSON.stringify(room);
    const ref = this.nextRef++;
    let answer: Promise<Buffer>;
    if (this.contender === 'ghost') {
      answer = this.wait(this.ackOf(ref));
      if (kind === 'topic') this.ws.send(`{"type":"topic.subscribe","topic":${r},"ref":${ref}}`);
      else if (kind === 'cursor') this.ws.send(`{"type":"presence.join","room":${r},"ref":${ref}}`);
      else this.ws.send(`{"type":"chat.identify","room":${r},"name":${JSON.stringify(name)},"ref":${ref}}`);
    } else if (this.contender === 'socketio') {
      answer = this.wait(this.ackOf(ref));
      this.ws.send(`42${ref}["join",${r}]`);
    } else {
      answer = this.wait(['{"t":"joined"']);
      this.ws.send(`{"t":"join","room":${r}}`);
    }
    let timer: NodeJS.Timeout | undefined;
    const frame = await Promise.race([
      answer,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${this.contender}: join ${room} not confirmed within 30 s`)), 30_000))),
    ]).finally(() => clearTimeout(timer));
    if (this.contender.startsWith('ws')) this.id = (JSON.parse(frame.toString()) as { id: string }).id;
    if (this.contender === 'ghost' && kind === 'chat' && !startsWith(frame, Buffer.from('{"type":"ack"'))) throw new Error(`ghost: chat.identify refused: ${frame}`);
  }

  /** A topic/room publish of `data` (a JSON text). */
  publish(room: string, data: string): void {
    const r = JSON.stringify(room);
    if (this.contender === 'ghost') this.sendRaw(`{"type":"topic.publish","topic":${r},"data":${data}}`);
    else if (this.contender === 'socketio') this.sendRaw(`42["pub",${r},${data}]`);
    else this.sendRaw(`{"t":"pub","room":${r},"data":${data}}`);
  }

  /** A cursor move: `state` is a JSON text. */
  move(room: string, state: string): void {
    const r = JSON.stringify(room);
    if (this.contender === 'ghost') this.sendRaw(`{"type":"presence.track","room":${r},"state":${state}}`);
    else if (this.contender === 'socketio') this.sendRaw(`42["pos",${r},${state}]`);
    else this.sendRaw(`{"t":"pos","room":${r},"state":${state}}`);
  }

  /** A chat message that wants an ack; returns its ref. */
  chat(room: string, text: string): number {
    const r = JSON.stringify(room);
    const t = JSON.stringify(text);
    const ref = this.nextRef++;
    if (this.contender === 'ghost') this.sendRaw(`{"type":"chat.send","room":${r},"text":${t},"ref":${ref}}`);
    else if (this.contender === 'socketio') this.sendRaw(`42${ref}["chat",${r},${t}]`);
    else this.sendRaw(`{"t":"chat","room":${r},"text":${t},"ref":${ref}}`);
    return ref;
  }

  /** Whether a frame is the answer to a request (an ack), and then its ref. */
  ackRef(frame: Buffer): number | undefined {
    if (!startsWith(frame, ACK_PREFIX[this.contender])) return undefined;
    if (this.contender === 'socketio') return Number(/^43(\d+)/.exec(frame.toString('latin1', 0, 24))?.[1]);
    return Number(/"ref":(\d+)/.exec(frame.toString('latin1', 0, 40))?.[1]);
  }

  isAck(frame: Buffer): boolean {
    return startsWith(frame, ACK_PREFIX[this.contender]);
  }

  /**
   * Sends a text frame straight to the TCP socket, framed here with an all-zero mask key (valid per
   * RFC 6455, and the server unmasks as usual): the generator spends the same few hundred ns for every
   * contender instead of ws's masking. Safe to mix with `ws.send` (no compression: ws writes at once).
   */
  sendRaw(text: string): void {
    const length = Buffer.byteLength(text);
    const head = length < 126 ? 6 : length < 65536 ? 8 : 14;
    const frame = Buffer.allocUnsafe(head + length);
    frame[0] = 0x81;
    if (length < 126) frame[1] = 0x80 | length;
    else if (length < 65536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    frame.writeUInt32BE(0, head - 4);
    frame.write(text, head);
    (this.ws as unknown as { _socket: NetSocket })._socket.write(frame);
  }

  /** A pong with `payload` (≤ 125 bytes), masked with a zero key like {@link sendRaw}. */
  private pongRaw(payload: Buffer): void {
    const frame = Buffer.alloc(6 + payload.length);
    frame[0] = 0x80 | 0x0a;
    frame[1] = 0x80 | payload.length;
    payload.copy(frame, 6);
    (this.ws as unknown as { _socket: NetSocket })._socket.write(frame);
  }

  /**
   * Counting mode, for cheap clients: `ws` stops parsing what arrives; every TCP chunk is counted as
   * is: bytes, frames (by walking the WebSocket headers) and occurrences of `needle` (the start of one
   * delivered item, so a frame carrying 24 cursor states counts 24), minus those of `own` (the client's
   * own state, which ws-coalesced and Ghost send back in a room's shared frame). A few hundred ns per
   * chunk instead of ws's per-frame work, so the generator keeps up with the naive relays. Keeps the connection alive meanwhile.
   */
  count(totals: Totals, needle: Buffer, own?: Buffer): void {
    const socket = (this.ws as unknown as { _socket: NetSocket })._socket;
    socket.removeAllListeners('data');
    let need = 0;
    let partial: Buffer | undefined;
    let tail: Buffer | undefined;
    let ownTail: Buffer | undefined;
    const straddling = (prev: Buffer | undefined, chunk: Buffer, n: Buffer) =>
      prev ? occurrences(Buffer.concat([prev, chunk.subarray(0, n.length - 1)]), n) : 0;
    socket.on('data', (chunk: Buffer) => {
      totals.bytes += chunk.length;
      totals.hits += occurrences(chunk, needle) + straddling(tail, chunk, needle);
      tail = chunk.subarray(Math.max(0, chunk.length - needle.length + 1));
      if (own) {
        totals.hits -= occurrences(chunk, own) + straddling(ownTail, chunk, own);
        ownTail = chunk.subarray(Math.max(0, chunk.length - own.length + 1));
      }
      let buf = chunk;
      if (partial) {
        buf = Buffer.concat([partial, chunk]);
        partial = undefined;
      }
      let p = 0;
      while (p < buf.length) {
        if (need > 0) {
          const take = Math.min(need, buf.length - p);
          need -= take;
          p += take;
          continue;
        }
        const left = buf.length - p;
        const b1 = left >= 2 ? buf[p + 1]! & 0x7f : 0;
        const head = b1 === 126 ? 4 : b1 === 127 ? 10 : 2;
        if (left < head) {
          partial = Buffer.from(buf.subarray(p));
          break;
        }
        need = b1 === 126 ? buf.readUInt16BE(p + 2) : b1 === 127 ? Number(buf.readBigUInt64BE(p + 2)) : b1;
        if ((buf[p]! & 0x0f) === PING_OPCODE) {
          // A ping is answered, as RFC 6455 asks of every client (Ghost paces its writes by the pongs).
          if (left < head + need) {
            partial = Buffer.from(buf.subarray(p));
            need = 0;
            break;
          }
          this.pongRaw(buf.subarray(p + head, p + head + need));
          p += head + need;
          need = 0;
          continue;
        }
        totals.frames += 1;
        p += head;
      }
    });
    // Heartbeats are not read any more: say something now and then so no server thinks us gone.
    const keepalive = this.contender === 'ghost' ? '{"type":"pong"}' : this.contender === 'socketio' ? '3' : undefined;
    if (keepalive) {
      const timer = setInterval(() => this.ws.readyState === WebSocket.OPEN && this.sendRaw(keepalive), 10_000);
      timer.unref();
      void this.closed.then(() => clearInterval(timer));
    }
  }

  close(): void {
    this.ws.close();
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/** Opens `count` connections, `concurrency` at a time; `make(i)` can also join. Resolves in index order. */
export async function openMany<T>(count: number, concurrency: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await make(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

/** How often `needle` occurs in `frame` (native search, no string made). */
export function occurrences(frame: Buffer, needle: Buffer): number {
  let n = 0;
  for (let at = frame.indexOf(needle); at >= 0; at = frame.indexOf(needle, at + needle.length)) n++;
  return n;
}
