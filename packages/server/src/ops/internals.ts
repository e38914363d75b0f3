import type { Cluster } from '../cluster.js';
import type { Presence } from '../features/presence.js';
import type { Topics } from '../features/topics.js';
import type { HubStats } from '../hub-stats.js';
import type { Sessions } from '../sessions.js';
import type { OpsAsker } from './queries.js';
import type { HubMetrics } from '../metrics.js';

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
  bus: OpsAsker;
  stats(): HubStats;
  /** `hub.publish`, for the HTTP API. */
  publish(topic: string, data: unknown): Promise<void>;
  /** `hub.broadcast`, for the HTTP API. */
  broadcast(data: unknown): Promise<void>;
  /** Reports a fault through the hub's `error` event. */
  reportError(error: Error): void;
}

// Keyed by hub, outside the Hub class: a public method returning these would put Sessions, Connection
// and ws's types into @ghost/server's published declarations (apps without @types/ws then fail to
// type-check).
const registry = new WeakMap<object, () => HubInternals>();

/** @internal Called by the hub's constructor. */
export function registerInternals(hub: object, get: () => HubInternals): void {
  registry.set(hub, get);
}

/** @internal The parts of a hub made by `createHub`; throws the fix for anything else. */
export function internalsOf(hub: object): HubInternals {
  const get = registry.get(hub);
  if (!get) throw new TypeError('createOpsHandler(hub): hub must be a hub made by createHub()');
  return get();
}
