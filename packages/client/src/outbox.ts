import { ErrorCode, GhostError } from '@ghost/protocol';

/** A request waiting for the hub's answer. */
export interface PendingRequest {
  ref: number;
  /** The frame, kept so it can be sent again on a new socket. */
  frame: string;
  resolve(result: unknown): void;
  reject(error: GhostError): void;
}

/**
 * Requests not yet acknowledged, in the order they were made. Survives reconnects: whatever was not
 * acknowledged is sent again on the next socket (the hub answers a repeated ref without redoing it).
 * Bounded, so an app that publishes while offline for long is told instead of growing without end.
 */
export class Outbox {
  private readonly requests = new Map<number, PendingRequest>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.requests.size;
  }

  /** Adds a request; throws `NOT_SENT` when the outbox is full. */
  add(request: PendingRequest): void {
    if (this.requests.size >= this.limit) {
      throw new GhostError(ErrorCode.NOT_SENT, `Outbox full: ${this.limit} requests are waiting for the hub; raise maxQueued or wait for "open"`);
    }
    this.requests.set(request.ref, request);
  }

  /** Settles the request with this ref; false when it was not waiting. */
  settle(ref: number, outcome: { result: unknown } | { error: GhostError }): boolean {
    const request = this.requests.get(ref);
    if (!request) return false;
    this.requests.delete(ref);
    if ('error' in outcome) request.reject(outcome.error);
    else request.resolve(outcome.result);
    return true;
  }

  /** Every waiting request, oldest first. */
  pending(): PendingRequest[] {
    return [...this.requests.values()];
  }

  /** Rejects everything still waiting. */
  rejectAll(error: GhostError): void {
    const requests = [...this.requests.values()];
    this.requests.clear();
    for (const request of requests) request.reject(error);
  }
}
