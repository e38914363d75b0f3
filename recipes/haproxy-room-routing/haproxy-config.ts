// Renders the HAProxy configuration of this recipe. haproxy.cfg beside it is this function's output
// for three example nodes (the test checks they agree), and the test runs HAProxy on the same text
// with its own ports and faster health checks: what is tested is what is shipped.
//
//   npx tsx recipes/haproxy-room-routing/haproxy-config.ts :80 10.0.0.11:3000 10.0.0.12:3000 > haproxy.cfg
//
// Nodes get ids 1, 2, … in the order given: when you remove one later, keep the others' ids.

import { pathToFileURL } from 'node:url';

/** One hub node behind HAProxy. */
export interface HubServer {
  /**
   * The server's id in HAProxy: the consistent-hash ring is built from it, so a node keeps its id for
   * life. Adding or removing another node then moves only the rooms of that node.
   */
  id: number;
  /** `host:port` of the hub node's HTTP server. */
  address: string;
}

/** What varies between deployments; the routing itself does not. */
export interface HaproxyConfigOptions {
  /** Where HAProxy listens, as in `bind` (`:80`, `127.0.0.1:8080`). TLS is left out to keep this short. */
  bind: string;
  /** The hub nodes. */
  hubs: HubServer[];
  /** The query parameter that names the room; the client sets it with `createClient(url, { params })`. @default 'room' */
  param?: string;
  /** Health checks of `GET /healthz`: every `interMs`, down after `fall` failures, up after `rise` successes. */
  check?: { interMs: number; fall: number; rise: number };
}

/** Production-minded health checks: a node is down ≈ 6 s after it stops answering. */
export const DEFAULT_CHECK = { interMs: 2000, fall: 3, rise: 2 };

/** The three nodes haproxy.cfg is rendered for. */
export const EXAMPLE: HaproxyConfigOptions = {
  bind: ':80',
  hubs: [
    { id: 1, address: '10.0.0.11:3000' },
    { id: 2, address: '10.0.0.12:3000' },
    { id: 3, address: '10.0.0.13:3000' },
  ],
};

/** The haproxy.cfg text for these nodes. */
export function haproxyConfig({ bind, hubs, param = 'room', check = DEFAULT_CHECK }: HaproxyConfigOptions): string {
  const servers = hubs.map(({ id, address }) => `    server hub${id} ${address} id ${id}`);
  return `# Ghost hub nodes behind HAProxy: every connection of one room goes to the same node.
# Rendered by haproxy-config.ts; README.md explains each choice.

defaults
    mode http
    timeout connect 5s
    # The HTTP phase: the upgrade request and the health checks.
    timeout client 30s
    timeout server 30s
    # An upgraded WebSocket is a tunnel. The hub pings every connection every 15 s, so a live one is
    # never idle this long; a dead one is found by the hub's and the client's heartbeats first.
    timeout tunnel 1h
    # A refused connection marks its node down at once (observe, below); the one retry then asks the
    # ring again, without that node: the same answer for every member of the room.
    retries 1
    option redispatch

frontend ghost
    bind ${bind}
    default_backend hubs

backend hubs
    # Consistent hashing on the room: all members of a room on one node; a node that goes down or
    # comes up moves only its own share of the rooms. A request without the parameter (the ops API,
    # /healthz) is spread round robin.
    balance url_param ${param}
    hash-type consistent
    option httpchk
    http-check send meth GET uri /healthz
    http-check expect status 200
    # observe … mark-down: the first refused connection takes a dead node off the ring, not the next
    # health checks, so no member of its rooms is sent elsewhere while it still counts (a retry that
    # merely avoids a node can pick another one than the ring does without it: a room split in two).
    # on-marked-down: a node marked down while alive (hung) has its tunnels cut, so its rooms move whole.
    default-server check inter ${check.interMs}ms fall ${check.fall} rise ${check.rise} observe layer4 error-limit 1 on-error mark-down on-marked-down shutdown-sessions
${servers.join('\n')}
`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [bind, ...addresses] = process.argv.slice(2);
  const hubs = addresses.map((address, index) => ({ id: index + 1, address }));
  process.stdout.write(haproxyConfig(bind && hubs.length > 0 ? { bind, hubs } : EXAMPLE));
}
