import { Redis, type Command, type RedisOptions } from 'ioredis';

// ioredis's `commandTimeout` arms and clears a timer for every command (about 1 µs each, measured): a
// store call per recoverable publish and per chat message (the bus's PUBLISHes have their own link,
// redis-publisher.ts). This client bounds its
// commands the same way with one timer for all of them: each tick (a third of the timeout), commands
// still unanswered from three ticks back fail with the same error ioredis gives, so a command fails
// between 2/3 and 1 × `timeoutMs` after it was sent (or queued while the link was down), never later.
// The timer runs only while commands wait; an idle hub has none. Commands of one event-loop turn are
// also written together (see `cork`). A command that timed out is never sent again (see `dropSettledCommands`).

const TICKS = 3;

/**
 * An ioredis client whose commands fail with `Command timed out` when unanswered for at most
 * `timeoutMs`, the way ioredis's `commandTimeout` does, without a timer per command; the commands of
 * one event-loop turn leave in one write.
 */
export class WatchedRedis extends Redis {
  /** Commands sent during each of the last ticks, oldest first; settled ones are dropped as it goes. */
  private readonly generations: Command[][] = Array.from({ length: TICKS }, () => []);
  private ticker: NodeJS.Timeout | undefined;
  /** Whether commands sent now go out with the others of this turn (see `cork`). */
  private corked = false;

  constructor(url: string, private readonly timeoutMs: number, options: Omit<RedisOptions, 'replyMapping'>) {
    super(url, options);
    dropSettledCommands(this);
  }

  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    this.generations[TICKS - 1]!.push(command);
    this.ticker ??= setInterval(() => this.tick(), this.timeoutMs / TICKS).unref();
    if (!this.corked && this.status === 'ready') this.cork(this.stream);
    return super.sendCommand(command, stream);
  }

  // Commands sent in one turn of the event loop (a presence tick publishes one envelope per room)
  // leave in one write to the socket instead of one each; a lone command is written as before.
  private cork(socket: Redis['stream']): void {
    this.corked = true;
    corkForTurn(socket, () => (this.corked = false));
  }

  private tick(): void {
    const [overdue, ...younger] = this.generations as [Command[], ...Command[][]];
    for (const command of overdue) if (!command.isSettled) command.reject(new Error('Command timed out'));
    younger.forEach((list, i) => (this.generations[i] = list.filter((command) => !command.isSettled)));
    this.generations[TICKS - 1] = [];
    if (this.generations.every((list) => list.length === 0)) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }
}

/**
 * Makes an ioredis connection drop, instead of sending, a command that has already settled. After a
 * reconnect ioredis sends again what was unanswered when the link dropped, and what waited offline,
 * without asking whether it already failed. One that timed out meanwhile was reported to its caller,
 * who may have retried it: running it now would do it twice (a message numbered twice in a
 * recoverable topic's history, a chat line stored twice). {@link WatchedRedis} applies it to itself, and the
 * adapter to each node of a Redis Cluster, whose commands ioredis's own timeout bounds.
 */
export function dropSettledCommands(redis: Redis): void {
  const send = redis.sendCommand;
  redis.sendCommand = function (this: Redis, command: Command, stream?: Parameters<Redis['sendCommand']>[1]) {
    return command.isSettled ? command.promise : send.call(this, command, stream);
  } as Redis['sendCommand'];
}

/**
 * Holds what is written to `socket` until the current turn's synchronous work is done (`nextTick`),
 * then writes it in one go; `uncorking` runs just before, so its owner knows to cork again.
 */
export function corkForTurn(socket: { cork(): void; uncork(): void }, uncorking: () => void): void {
  socket.cork();
  process.nextTick(() => {
    uncorking();
    socket.uncork();
  });
}
