import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { createClient, type ClientOptions, type GhostClient } from '@ghost/client';
import type { SchemaDefinition } from '@ghost/protocol';

/** Props of {@link GhostProvider}: a client you made, or the URL of a hub to connect to. */
export type GhostProviderProps<S extends SchemaDefinition = SchemaDefinition> =
  | {
      /** The client the hooks below use. You made it, so you close it. */
      client: GhostClient<S>;
      /** What uses the hooks. */
      children?: ReactNode;
    }
  | {
      /** The hub's URL (`/ghost` in a browser): the provider connects on mount and closes on unmount. */
      url: string;
      /** Options of `createClient`, read when the client is made (a new `url` makes a new client). */
      options?: ClientOptions<S>;
      /** What uses the hooks: rendered once the client is made. */
      children?: ReactNode;
    };

const GhostContext = createContext<GhostClient | null>(null);

/**
 * Gives the Ghost hooks below it their client. Pass a `client` you made with `createClient`, or a
 * `url`: then the provider makes the client when it mounts (its children render from then on) and
 * closes it when it unmounts, and StrictMode's remount keeps the same connection.
 *
 * @example
 * const client = createClient('/ghost', { schema });
 * createRoot(root).render(<GhostProvider client={client}><App /></GhostProvider>);
 * // or let the provider own the connection:
 * createRoot(root).render(<GhostProvider url="/ghost"><App /></GhostProvider>);
 */
export function GhostProvider<const S extends SchemaDefinition = SchemaDefinition>(props: GhostProviderProps<S>): ReactNode {
  if ('client' in props) return <GhostContext.Provider value={props.client as unknown as GhostClient}>{props.children}</GhostContext.Provider>;
  return <OwnClient url={props.url} options={props.options as ClientOptions}>{props.children}</OwnClient>;
}

function OwnClient({ url, options, children }: { url: string; options: ClientOptions | undefined; children?: ReactNode }): ReactNode {
  const [client, setClient] = useState<GhostClient | null>(null);
  // Survives StrictMode's unmount and remount, which keep a component's refs: the remount takes the
  // client back before its close (a task later) comes.
  const owned = useRef<{ url: string; client: GhostClient; closing?: ReturnType<typeof setTimeout> } | null>(null);
  useEffect(() => {
    let own = owned.current;
    if (own?.url === url) {
      clearTimeout(own.closing);
      own.closing = undefined;
    } else {
      own = { url, client: createClient(url, options) };
      owned.current = own;
    }
    setClient(own.client);
    const mine = own;
    return () => {
      mine.closing = setTimeout(() => {
        if (owned.current === mine) owned.current = null;
        void mine.client.close();
      }, 0);
    };
    // Options are read when a client is made: only a new URL makes a new one.
  }, [url]);
  return client ? <GhostContext.Provider value={client}>{children}</GhostContext.Provider> : null;
}

/**
 * The client of the nearest {@link GhostProvider}, for what the other hooks do not cover (publishing
 * from an event handler, `client.self`). Throws when there is no provider above.
 *
 * @example
 * const client = useClient();
 * return <button onClick={() => void client.topic('reactions').publish('👍')}>👍</button>;
 */
export function useClient(): GhostClient {
  const client = useContext(GhostContext);
  if (!client) throw new TypeError('Ghost hooks need a <GhostProvider client={client}> (or url="/ghost") above this component');
  return client;
}
