import type { LeaveReason } from '@ghost/protocol';

// Types are protocol words, so the label sets are small; this bound only guards against a bug (or a
// frame written by hand) turning every frame into a new time series.
const MAX_TYPES = 64;
const TYPE_PREFIX = '{"type":"';

/**
 * The counters behind the metrics endpoint: one object per hub, incremented where each event happens.
 * Counters only grow (Prometheus computes rates); gauges are read from the hub when scraped.
 * @internal
 */
export class HubMetrics {
  /** Frames received from clients, by message type (`invalid` for undecodable ones, `binary`). */
  readonly received = new Map<string, number>();
  private readonly sentByType = new Map<string, number>();
  /** Connections opened (resumes not counted). */
  opened = 0;
  /** Connections that ended for good, by leave reason. */
  readonly closed = new Map<LeaveReason, number>();
  /** Presence states replaced by a newer one within the same tick: never sent on their own. */
  presenceCoalesced = 0;
  /** Presence diffs not sent to a slow reader (it gets one snapshot once it caught up). */
  presenceDropped = 0;
  /** Sockets closed because more than `maxBufferedBytes` waited to be sent. */
  slowDisconnects = 0;
  /** Readers closed because the hub as a whole had more than `maxHubBufferedBytes` waiting to be sent. */
  budgetSheds = 0;
  /** Frames refused by a rate limit, by budget. */
  readonly rateLimited = { messages: 0, presence: 0 };
  /** Publishes to the bus that failed (local delivery had happened). */
  busPublishFailures = 0;
  /** Re-subscriptions answered from a recoverable topic's history, and the messages they replayed. */
  recoveryReplays = 0;
  recoveryReplayedMessages = 0;

  /** Counts one frame from a client. */
  receivedFrame(type: string): void {
    add(this.received, type);
  }

  /** Frames written to client sockets, by message type. */
  get sent(): Map<string, number> {
    this.countRun();
    return this.sentByType;
  }

  /** Counts one frame to a client; its type is read from its first bytes, which `encode` always writes first. */
  sentFrame(frame: string): void {
    // A broadcast sends the same string to every recipient in a row: the run is counted as one
    // addition when it ends, not one map update per recipient.
    if (frame === this.lastFrame) {
      this.run += 1;
      return;
    }
    this.countRun();
    const end = frame.startsWith(TYPE_PREFIX) ? frame.indexOf('"', TYPE_PREFIX.length) : -1;
    this.lastFrame = frame;
    this.lastType = end > 0 ? frame.slice(TYPE_PREFIX.length, end) : 'other';
    this.run = 1;
  }

  private lastFrame = '';
  private lastType = 'other';
  /** Frames of `lastFrame` sent and not yet in `sentByType`. */
  private run = 0;

  private countRun(): void {
    if (this.run > 0) add(this.sentByType, this.lastType, this.run);
    this.run = 0;
  }

  /** Counts a connection that ended. */
  closedWith(reason: LeaveReason): void {
    add(this.closed, reason);
  }
}

function add<K extends string>(counts: Map<K, number>, key: K, by = 1): void {
  const value = counts.get(key);
  if (value !== undefined) counts.set(key, value + by);
  else if (counts.size < MAX_TYPES) counts.set(key, by);
}
