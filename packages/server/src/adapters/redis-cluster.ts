// What the Redis adapter needs to know about a Redis Cluster: how to reach one from seed URLs, which
// channels go on sharded pub/sub, and when a failover is over.
import { Cluster, type ClusterOptions, type Redis, type RedisOptions } from 'ioredis';
import { dropSettledCommands } from './redis-watchdog.js';

/**
 * The hash tag of a key or channel name, as Redis Cluster reads it: the text between the first `{` and
 * the next `}`, when not empty. Names with the same tag live on the same slot.
 */
export function hashTag(name: string): string | undefined {
  const open = name.indexOf('{');
  if (open < 0) return undefined;
  const close = name.indexOf('}', open + 1);
  return close > open + 1 ? name.slice(open + 1, close) : undefined;
}

/** Whether `url` is a seed node URL the adapter accepts. */
export function isRedisUrl(url: unknown): url is string {
  return typeof url === 'string' && /^rediss?:\/\/[^/]/.test(url) && URL.canParse(url);
}

/** Where a `redis://` or `rediss://` URL points, and the credentials it carries. */
export interface RedisEndpoint {
  host: string;
  port: number;
  tls: boolean;
  username?: string;
  password?: string;
}

/** Reads a URL that passed {@link isRedisUrl}. */
export function endpointOf(url: string): RedisEndpoint {
  const parsed = new URL(url);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port: Number(parsed.port || 6379),
    tls: parsed.protocol === 'rediss:',
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
  };
}

/**
 * A Cluster client from seed node URLs. Credentials and TLS come from the URLs (`rediss://`,
 * `user:password@`) and apply to every node the client discovers; `options.redisOptions` overrides them.
 */
export function clusterFromUrls(urls: string[], options: ClusterOptions, connection: RedisOptions): Cluster {
  const endpoints = urls.map(endpointOf);
  const seeds = endpoints.map(({ host, port }) => ({ host, port }));
  const withAuth = endpoints.find((endpoint) => endpoint.password || endpoint.username);
  const fromUrls: RedisOptions = {
    ...(withAuth?.username ? { username: withAuth.username } : {}),
    ...(withAuth?.password ? { password: withAuth.password } : {}),
    ...(endpoints.some((endpoint) => endpoint.tls) ? { tls: {} } : {}),
  };
  const cluster = new Cluster(seeds, { ...options, lazyConnect: true, redisOptions: { ...connection, ...fromUrls, ...options.redisOptions } });
  // Each node's connection is made (and announced) before anything is sent through it.
  cluster.on('+node', (node: Redis) => dropSettledCommands(node));
  return cluster;
}

/**
 * The connection that carries a cluster's subscriptions: a copy of the command client with one
 * subscriber connection per master for sharded channels (and one more for the cluster-wide ones).
 * It follows failovers and slot moves by itself; subscribing waits through an outage instead of failing.
 */
export function clusterSubscriber(commands: Cluster): Cluster {
  return commands.duplicate([], {
    ...commands.options,
    shardedSubscribers: true,
    lazyConnect: true,
    // Like the subscriber of a single Redis: (re)subscribing waits for as long as an outage lasts.
    redisOptions: { ...commands.options.redisOptions, maxRetriesPerRequest: null, commandTimeout: undefined },
  });
}

/**
 * Turns a cluster's stream of faults into one outage at a time. During a failover the subscriber fails
 * to reconnect to the dead master every few milliseconds (hundreds of `error` events) until the
 * replica is promoted; `onDown` is called on the first fault, `onUp` once every subscriber connection
 * stands again (a round of resubscribing finished without a failure).
 */
export function watchCluster(
  commands: Cluster,
  subscriber: Cluster,
  events: { onDown(what: string, cause: Error): void; onUp(): void },
): () => void {
  let down = false;
  let failedThisRound = false;
  let subscriberHealthy = true;
  let probing: NodeJS.Timeout | undefined;

  const lost = (what: string) => (error: Error) => {
    if (!down) {
      down = true;
      events.onDown(`${what}: ${error.message}`, error);
      // A fault on the command side alone brings no resubscribe round to end it: probe for the end.
      probing = setInterval(probe, 500).unref();
    }
  };
  const subscriberLost = (error: Error) => {
    failedThisRound = true;
    subscriberHealthy = false;
    lost('a subscriber connection failed')(error);
  };
  const onSubscribersReady = () => {
    if (failedThisRound) failedThisRound = false;
    else {
      subscriberHealthy = true;
      probe();
    }
  };
  const probe = () => {
    if (!down || !subscriberHealthy) return;
    commands.cluster('INFO').then((info) => {
      if (!down || !subscriberHealthy || !String(info).includes('cluster_state:ok')) return;
      down = false;
      clearInterval(probing);
      events.onUp();
    }, () => undefined);
  };

  const onCommandNode = lost('a node failed');
  const onSubscriberNode = lost('a node failed');
  commands.on('node error', onCommandNode);
  subscriber.on('error', subscriberLost).on('node error', onSubscriberNode).on('subscribersReady', onSubscribersReady);
  return () => {
    clearInterval(probing);
    commands.off('node error', onCommandNode);
    subscriber.off('error', subscriberLost).off('node error', onSubscriberNode).off('subscribersReady', onSubscribersReady);
  };
}
