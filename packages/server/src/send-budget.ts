import type { HubMetrics } from './metrics.js';

/**
 * Readers are shed the longest silent first (since their oldest unanswered ping), in steps of this
 * long; within a step, the biggest first. In one room's flood every reader holds about the same bytes:
 * silence tells the reader that stopped from the one that reads, however slowly.
 */
export const SILENCE_STEP_MS = 250;
/** Once over the budget, shedding goes on until this share of it is left: room to breathe, not a shed per send. */
const LOW_WATER = 0.75;
/**
 * When shedding could not bring the hub under budget (what is left waits for readers that keep up),
 * the next recount waits this long: a recount is O(connections), not to be paid on every send.
 */
const RECHECK_MS = 20;

/**
 * What the budget reads and asks of a reader (a connection): declared here, below the connection, so
 * the budget does not depend on the class that reports to it.
 */
export interface BudgetedReader {
  /** Bytes waiting for this reader now, in its socket and its outbox. */
  readonly waitingBytes: number;
  /** What this reader last reported to the budget. */
  accounted: number;
  /** Since when it has not proven it read what was sent to it (ms since epoch); now when it is not behind. */
  readonly progressAt: number;
  /** The share of what was sent to it that it proved it read (0–1). */
  readonly provenShare: number;
  /** When its last frame arrived (ms since epoch). */
  readonly lastSeen: number;
  readonly isOpen: boolean;
  /** Moves what the socket has room for out of the outbox; false once the outbox is empty. */
  flushOutbox(): boolean;
  /** Closes the reader as too slow. */
  shed(): void;
}

/**
 * The hub-wide account of bytes waiting to be sent (in sockets' buffers and in the hub's own queues),
 * against `limits.maxHubBufferedBytes`. Each connection reports its own count whenever it sends (O(1):
 * the difference to what it reported last), so the total is never below the truth by more than what
 * drained since. Over the budget, the count is redone from every connection, and readers are shed
 * until a quarter of the budget is free again: the longest silent first (no answer to the hub's
 * pings, in steps of {@link SILENCE_STEP_MS}); within a step, the one that proved the least of what
 * it was sent, then the one that spoke longest ago, then the biggest. A reader that keeps up
 * holds less than `slowBufferedBytes` and is never shed.
 */
export class SendBudget<Reader extends BudgetedReader = BudgetedReader> {
  /** Bytes waiting, as last reported by each connection. */
  total = 0;
  /** Readers with frames in their outbox, emptied as their sockets drain. */
  private readonly backedUp = new Set<Reader>();
  private pumpTimer: NodeJS.Timeout | undefined;
  /** When a recount last found nothing more to shed while still over budget. */
  private stuckAt = -Infinity;

  constructor(
    readonly limit: number,
    private readonly slowBytes: number,
    private readonly connections: () => Iterable<Reader>,
    private readonly pumpMs: number,
    /** Ends a shed connection's session. */
    private readonly end: (connection: Reader) => void,
    private readonly metrics?: HubMetrics,
  ) {}

  /** A connection closed itself for holding too much: its session ends now. */
  shed(connection: Reader): void {
    this.end(connection);
  }

  /** A connection's waiting bytes may have changed: take the difference, shed when over budget. */
  note(connection: Reader): void {
    const waiting = connection.waitingBytes;
    this.total += waiting - connection.accounted;
    connection.accounted = waiting;
    if (this.total > this.limit) this.enforce();
  }

  /** Counts every connection afresh (what drained since their last send is no longer counted); returns the total. */
  recount(): number {
    let total = 0;
    for (const connection of this.connections()) {
      connection.accounted = connection.waitingBytes;
      total += connection.accounted;
    }
    this.total = total;
    return total;
  }

  /** The connection is over: what it held is no longer waiting. */
  forget(connection: Reader): void {
    this.total -= connection.accounted;
    connection.accounted = 0;
    this.backedUp.delete(connection);
  }

  /** The connection queued frames in its outbox: send them as its socket drains. */
  watch(connection: Reader): void {
    this.backedUp.add(connection);
    this.pumpTimer ??= setInterval(() => this.pump(), this.pumpMs).unref();
  }

  /** Stops the pump (the hub is closing). */
  close(): void {
    this.backedUp.clear();
    clearInterval(this.pumpTimer);
    this.pumpTimer = undefined;
  }

  private pump(): void {
    for (const connection of this.backedUp) if (!connection.flushOutbox()) this.backedUp.delete(connection);
    if (this.backedUp.size === 0) {
      clearInterval(this.pumpTimer);
      this.pumpTimer = undefined;
    }
  }

  /** Recounts every connection and sheds the biggest slow readers until the total is back under the low-water mark. */
  private enforce(): void {
    const now = Date.now();
    if (now - this.stuckAt < RECHECK_MS) return;
    this.stuckAt = now; // also keeps the notes of the sheds below from recounting
    if (this.recount() > this.limit) {
      // A reader that keeps up (answers in time, less than `slowBytes` waiting) is never shed; a silent
      // one is, however little waits for it: thousands of small ones fill the budget as well as one big.
      // Equally silent (a busy hub hears everyone late), the one that proved the least of what it was
      // sent goes first: a reader that joined and stopped before one that reads along. At a flood's
      // start nobody has proven anything yet: then the one that spoke longest ago (a reader that only
      // joined, before a sender whose latest frames wait unread in a stalled hub); then the biggest.
      // The keys are read once per reader, not once per comparison.
      const slow: { connection: Reader; silence: number; share: number; quiet: number; bytes: number }[] = [];
      for (const connection of this.connections()) {
        if (connection.accounted <= 0 || !connection.isOpen) continue;
        const silence = Math.floor((now - connection.progressAt) / SILENCE_STEP_MS);
        if (connection.accounted <= this.slowBytes && silence === 0) continue;
        const share = Math.floor(connection.provenShare * 10);
        const quiet = Math.floor((now - connection.lastSeen) / SILENCE_STEP_MS);
        slow.push({ connection, silence, share, quiet, bytes: connection.accounted });
      }
      slow.sort((a, b) => b.silence - a.silence || a.share - b.share || b.quiet - a.quiet || b.bytes - a.bytes);
      const target = this.limit * LOW_WATER;
      for (const { connection } of slow) {
        if (this.total <= target) break;
        connection.shed();
        if (this.metrics) this.metrics.budgetSheds += 1;
        this.note(connection);
      }
    }
    if (this.total <= this.limit) this.stuckAt = -Infinity;
  }
}
