import type { Cluster } from '../cluster.js';
import type { Presence } from '../features/presence.js';
import type { Topics } from '../features/topics.js';
import type { HubStats } from '../hub.js';
import type { Sessions } from '../sessions.js';
import type { OpsBus } from './cluster-ops.js';
import type { HubMetrics } from './metrics.js';

/**
 * What the operations endpoints read of a hub: its parts, read-only except for the two writes the API
 * offers (publishing goes through the hub's public methods; disconnecting through `sessions`).
 * @internal
 */
export interface HubInternals {
  nodeId: string;
  metrics: HubMetrics;
  sessions: Sessions;
  presence: Presence;
  topics: Topics;
  cluster: Cluster;
  bus: OpsBus;
  stats(): HubStats;
  /** Reports a fault through the hub's `error` event. */
  reportError(error: Error): void;
}
