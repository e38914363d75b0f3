import net from 'node:net';
import { closeAfterTest } from './cleanup.js';

/** A TCP proxy on a free loopback port that a test can cut (connections dropped, new ones refused) and heal. */
export interface TcpProxy {
  port: number;
  /** Drops every proxied connection and refuses new ones, as a network partition does. */
  cut(): void;
  /** Lets connections through again. */
  heal(): void;
  /**
   * Stops moving bytes on the open connections, which stay up: the far end looks hung (a stopped
   * process, a stalled link). What was sent meanwhile is held, and goes through on `resume`.
   */
  stall(): void;
  /** Moves the held bytes on and lets the connections flow again. */
  resume(): void;
  /**
   * Holds what the target sends back on the open connections while what the client sends still
   * reaches it: a request is carried out and its answer lost with the link (`cut` next). `resume`
   * lets the answers flow again.
   */
  mute(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const pairs = new Set<[net.Socket, net.Socket]>();
  let cut = false;
  let stalled = false;
  const flow = ([client, upstream]: [net.Socket, net.Socket]) => void client.pipe(upstream).pipe(client);
  const server = net.createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    if (!stalled) flow(pair);
    client.on('close', () => {
      pairs.delete(pair);
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: TcpProxy = {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      cut = true;
      for (const socket of sockets) socket.destroy();
    },
    heal() {
      cut = false;
    },
    stall() {
      stalled = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream).pause();
        upstream.unpipe(client).pause();
      }
    },
    resume() {
      stalled = false;
      for (const pair of pairs) flow(pair);
    },
    mute() {
      for (const [client, upstream] of pairs) upstream.unpipe(client).pause();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  closeAfterTest(() => proxy.close());
  return proxy;
}
