import type { Adapter } from '@ghost/server';

/** One frame a node handed to its adapter's `publish`. */
export interface Publish {
  node: string;
  channel: string;
  /** The envelope's `kind` (`presence`, `presence.sync`, `heartbeat` …). */
  kind: string;
}

/**
 * Lets a real adapter work as it does and writes down every frame its hub publishes, so a test can
 * count bus traffic by channel and kind on the memory bus and on a real Redis alike.
 */
export function countPublishes(adapter: Adapter, node: string, log: Publish[]): Adapter {
  // The hub then publishes what it would on Redis, where it cannot know that nobody listens: on the
  // memory bus it would skip frames to channels no other node holds, and the counts would differ.
  delete adapter.othersListening;
  const publish = adapter.publish.bind(adapter);
  adapter.publish = (channel, frame) => {
    log.push({ node, channel, kind: /"kind":"([^"]+)"/.exec(frame)?.[1] ?? '' });
    return publish(channel, frame);
  };
  return adapter;
}
