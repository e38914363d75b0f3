import { z } from 'zod';

// What one node may ask the others on behalf of the HTTP API. The bus is trusted (docs/security.md),
// but a query from a node of another version is still checked, and one it cannot read is ignored.
export const querySchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('presence'), room: z.string() }),
  z.object({ op: z.literal('stats') }),
  z.object({ op: z.literal('disconnect'), target: z.string(), code: z.number().int(), reason: z.string() }),
]);

/** A question the HTTP API asks every node of the cluster. */
export type OpsQuery = z.infer<typeof querySchema>;

/** The answers of every node by node id, and the nodes that did not answer in time. */
export interface OpsAnswers {
  replies: Map<string, unknown>;
  missing: string[];
}

/** What the HTTP API asks of the cluster: met by the hub's `OpsBus`. */
export interface OpsAsker {
  /** Asks this node and every other live node; nodes silent for `timeoutMs` are returned as missing. */
  ask(query: OpsQuery, timeoutMs: number): Promise<OpsAnswers>;
}
