import type { OpsQuery } from './queries.js';
import type { HubInternals } from './internals.js';

/** A presence member as the API shows it: what watchers see, plus the node it is connected to. */
export interface MemberView {
  id: string;
  color: string;
  user?: unknown;
  state: unknown;
  node: string;
}

/** This node's answer to a cluster-wide query: its own part only, never what it heard from others. */
export function answerQuery(hub: HubInternals, query: OpsQuery): unknown {
  switch (query.op) {
    case 'presence':
      return hub.presence.localMembers(query.room).map(({ head, state }) => ({
        ...(JSON.parse(`{${head},"state":${state}}`) as Omit<MemberView, 'node'>),
        node: hub.nodeId,
      }));
    case 'stats':
      return hub.stats();
    case 'disconnect':
      return hub.sessions.disconnect(query.target, query.code, query.reason);
  }
}
