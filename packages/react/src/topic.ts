import { useCallback, useEffect, useRef } from 'react';
import type { TopicHandler } from '@ghost/client';
import { leasesOf } from './leases.js';
import { useClient } from './provider.js';

const keep = () => {};

/**
 * Calls `handler` with each message of the topic `name` while the component is mounted (the newest
 * `handler` each time, so an inline function does not resubscribe), and returns a function that
 * publishes to it. Without a handler it only publishes. StrictMode's remount does not subscribe twice.
 *
 * @example
 * const publish = useTopic('reactions', (emoji, { from }) => show(from, emoji));
 * return <button onClick={() => void publish('👍')}>👍</button>;
 */
export function useTopic(name: string, handler?: TopicHandler<unknown>): (data: unknown) => Promise<void> {
  const client = useClient();
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  const listening = handler !== undefined;
  useEffect(() => {
    if (!listening) return;
    const topic = client.topic(name);
    // A handler that does nothing holds the hub's subscription across StrictMode's remount: the
    // component's own handler comes and goes without a frame to the hub.
    const lease = leasesOf(client).take(`topic:${name}`, () => ({ value: undefined, close: topic.subscribe(keep) }));
    const off = topic.subscribe((data, meta) => latest.current?.(data, meta));
    return () => {
      off();
      lease.release();
    };
  }, [client, name, listening]);
  return useCallback((data: unknown) => client.topic(name).publish(data), [client, name]);
}
