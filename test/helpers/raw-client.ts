import WebSocket from 'ws';
import { decodeServerMessage, type ServerMessage } from '@ghost/protocol';
import { waitFor } from './wait.js';

/**
 * A bare `ws` socket speaking the protocol by hand, as a client written in another language would.
 * Every frame it receives is checked against the protocol's server schema, so a test using it also
 * proves the hub sends only valid messages.
 */
export class RawClient {
  readonly messages: ServerMessage[] = [];
  /** Every text frame as received, valid or not: for tests that compare bytes. */
  readonly texts: string[] = [];
  readonly invalid: string[] = [];
  closeCode: number | undefined;
  closeReason = '';
  // Per type, how many messages of that type `next` has already returned.
  private readonly taken = new Map<string, number>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      this.texts.push(text);
      const decoded = decodeServerMessage(text);
      if (decoded.ok) this.messages.push(decoded.message);
      else this.invalid.push(`${decoded.error}: ${text}`);
    });
    socket.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
  }

  static async connect(url: string, query = ''): Promise<RawClient> {
    const socket = new WebSocket(url + query);
    const client = new RawClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  /** Connects and waits for the hub's welcome: the client, with the welcome's fields (id, color, resume …). */
  static async welcomed(url: string, query = '') {
    const client = await RawClient.connect(url, query);
    const welcome = await client.next('welcome');
    return { client, ...welcome };
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message of this type not yet returned by `next` (each type is consumed in order). */
  async next<T extends ServerMessage['type']>(type: T, timeoutMs = 3000): Promise<Extract<ServerMessage, { type: T }>> {
    const found = await waitFor(() => {
      const taken = this.taken.get(type) ?? 0;
      const message = this.ofType(type)[taken];
      if (message) this.taken.set(type, taken + 1);
      return message;
    }, timeoutMs, `a "${type}" message`);
    return found as Extract<ServerMessage, { type: T }>;
  }

  ofType<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m) => m.type === type) as Extract<ServerMessage, { type: T }>[];
  }

  async closed(timeoutMs = 3000): Promise<number> {
    return waitFor(() => this.closeCode, timeoutMs, 'the socket to close');
  }

  close(code = 1000): void {
    this.socket.close(code);
  }
}
