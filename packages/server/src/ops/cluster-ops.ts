import { channels, type Cluster, type Envelope } from '../cluster.js';
import { createId } from '../ids.js';
import { answerQuery } from './answers.js';
import type { HubInternals } from './internals.js';
import { querySchema, type OpsAnswers, type OpsAsker, type OpsQuery } from './queries.js';
import { toError } from '../to-error.js';

interface Pending {
  expected: Set<string>;
  replies: Map<string, unknown>;
  done(): void;
}

/**
 * Cluster-wide requests of the operations API: a query goes to every node on the `all` channel, each
 * node answers on the asker's own channel, and the asker waits for every node it knows to be alive
 * (or the timeout). Every hub answers, whether or not it serves the API itself.
 */
export class OpsBus implements OpsAsker {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly cluster: Cluster,
    private readonly hub: () => HubInternals,
    private readonly reportError: (error: Error) => void,
  ) {}

  /** Asks this node and every other live node; nodes silent for `timeoutMs` are returned as missing. */
  async ask(query: OpsQuery, timeoutMs: number): Promise<OpsAnswers> {
    const replies = new Map<string, unknown>([[this.cluster.nodeId, this.answerSafely(query)]]);
    const expected = new Set(this.cluster.nodes.keys());
    if (expected.size > 0) {
      const id = createId();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.pending.set(id, { expected, replies, done });
        void this.cluster.publish(channels.all(this.cluster.prefix), { kind: 'ops.request', id, query });
      });
      this.pending.delete(id);
    }
    return { replies, missing: [...expected].filter((node) => !replies.has(node)) };
  }

  /** Handles an `ops.request` from another node, or an `ops.reply` to one of ours. */
  receive(envelope: Envelope): void {
    if (envelope.kind === 'ops.request') {
      const query = querySchema.safeParse(envelope.query);
      if (!query.success) return;
      const result = this.answerSafely(query.data);
      void this.cluster.publish(channels.node(this.cluster.prefix, envelope.node), { kind: 'ops.reply', id: envelope.id, result });
    } else if (envelope.kind === 'ops.reply') {
      const pending = this.pending.get(envelope.id);
      if (!pending) return; // answered after the timeout: the caller has moved on
      pending.replies.set(envelope.node, envelope.result);
      for (const node of pending.expected) if (!pending.replies.has(node)) return;
      pending.done();
    }
  }

  private answerSafely(query: OpsQuery): unknown {
    try {
      return answerQuery(this.hub(), query);
    } catch (error) {
      this.reportError(toError(error));
      return null;
    }
  }
}
