import type { IntervalHistogram } from 'node:perf_hooks';
import type { HubInternals } from './internals.js';

/** The event loop delay histogram the endpoint reports (`monitorEventLoopDelay`). */
export type LoopDelay = IntervalHistogram;

/** The sampling interval of the event loop delay histogram the ops handler creates. */
export const LOOP_RESOLUTION_MS = 10;

type Sample = [labels: Record<string, string>, value: number];

/**
 * The hub's metrics in the Prometheus text format (0.0.4): names prefixed `ghost_`, counters ending in
 * `_total`, durations in seconds, and labels only with small fixed sets of values.
 */
export function renderMetrics(hub: HubInternals, loopDelay: LoopDelay): string {
  const m = hub.metrics;
  const stats = hub.stats();
  const lines: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter' | 'summary', help: string, samples: Sample[] | number) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of typeof samples === 'number' ? [[{}, samples] as Sample] : samples) {
      lines.push(`${name}${labelText(labels)} ${formatValue(value)}`);
    }
  };
  const byLabel = (label: string, counts: Map<string, number>): Sample[] => [...counts].sort().map(([key, value]) => [{ [label]: key }, value]);

  metric('ghost_node_info', 'gauge', 'This hub node; the value is always 1.', [[{ node: hub.nodeId }, 1]]);
  metric('ghost_connections', 'gauge', 'Connections with an open socket.', stats.connections);
  metric('ghost_connections_resumable', 'gauge', 'Connections whose socket dropped, waiting out their grace period.', stats.resumable);
  metric('ghost_connections_slow', 'gauge', 'Connections with more than slowBufferedBytes waiting to be sent.', stats.slow);
  metric('ghost_connections_opened_total', 'counter', 'Connections accepted (resumes not counted).', m.opened);
  metric('ghost_connections_closed_total', 'counter', 'Connections ended for good, by leave reason.', byLabel('reason', m.closed));
  metric('ghost_messages_received_total', 'counter', 'Frames received from clients, by message type.', byLabel('type', m.received));
  metric('ghost_messages_sent_total', 'counter', 'Frames written to client sockets, by message type.', byLabel('type', m.sent));
  metric('ghost_topics', 'gauge', 'Topics with at least one subscriber on this node.', stats.topics);
  metric('ghost_presence_rooms', 'gauge', 'Presence rooms with a watcher or member on this node.', stats.rooms);
  metric('ghost_presence_members', 'gauge', 'Presence members in the rooms of this node (other nodes\' included).', stats.members);
  metric('ghost_chat_rooms', 'gauge', 'Chat rooms with a reader on this node.', stats.chatRooms);
  metric('ghost_presence_updates_coalesced_total', 'counter', 'Presence states replaced by a newer one within a tick, never sent.', m.presenceCoalesced);
  metric('ghost_presence_frames_dropped_total', 'counter', 'Presence diffs skipped for slow readers (they get a snapshot later).', m.presenceDropped);
  metric('ghost_slow_consumer_disconnects_total', 'counter', 'Sockets closed for reading too slowly.', m.slowDisconnects);
  metric('ghost_send_buffered_bytes', 'gauge', 'Bytes waiting to be sent to all connections (sockets and queues).', stats.bufferedBytes);
  metric('ghost_send_budget_bytes', 'gauge', 'limits.maxHubBufferedBytes: past it the readers holding the most are closed.', hub.sessions.budget.limit);
  metric('ghost_send_budget_sheds_total', 'counter', 'Readers closed because the hub had more than maxHubBufferedBytes waiting.', m.budgetSheds);
  metric('ghost_rate_limited_total', 'counter', 'Frames refused by a rate limit, by budget.', [
    [{ bucket: 'messages' }, m.rateLimited.messages],
    [{ bucket: 'presence' }, m.rateLimited.presence],
  ]);
  metric('ghost_bus_publish_failures_total', 'counter', 'Envelopes the adapter failed to publish to other nodes.', m.busPublishFailures);
  metric('ghost_bus_frames_dropped_total', 'counter', 'Unreadable frames received from the bus.', hub.cluster.dropped);
  metric('ghost_cluster_nodes', 'gauge', 'Other hub nodes heard from within nodeTimeoutMs.', hub.cluster.nodes.size);
  metric('ghost_recovery_replays_total', 'counter', 'Re-subscriptions answered from a recoverable topic\'s history.', m.recoveryReplays);
  metric('ghost_recovery_replayed_messages_total', 'counter', 'Messages sent by those replays.', m.recoveryReplayedMessages);
  // The histogram records each whole sampling interval, so an idle loop reads as the resolution itself:
  // only what is beyond it is delay.
  const count = loopDelay.count;
  const late = (ns: number) => (count > 0 ? Math.max(0, ns - LOOP_RESOLUTION_MS * 1e6) / 1e9 : 0);
  metric('ghost_event_loop_delay_seconds', 'summary', 'How late the event loop ran a timer, sampled every 10 ms.', [
    ...[0.5, 0.9, 0.99].map((q): Sample => [{ quantile: String(q) }, late(loopDelay.percentile(q * 100))]),
  ]);
  lines.push(`ghost_event_loop_delay_seconds_sum ${formatValue(Math.round(late(loopDelay.mean) * count * 1e9) / 1e9)}`);
  lines.push(`ghost_event_loop_delay_seconds_count ${count}`);
  return `${lines.join('\n')}\n`;
}

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([key, value]) => `${key}="${value.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

function formatValue(value: number): string {
  return Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
}
