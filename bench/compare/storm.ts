// Reconnect storm: N clients, each subscribed to one of R topics, all lose their socket at once (the
// generator destroys every TCP connection) and reconnect at once, without backoff (the worst case),
// then subscribe again; Ghost clients come back with their resume token, as the reference client does.
// Measures the time until every client is back and re-subscribed, each client's own reconnect time,
// and the server's CPU for the whole storm.
import { sleep, startWindow } from './load.js';
import { round3, withServer, type Scenario } from './scenario.js';
import { Conn, openMany } from './wire.js';

export interface StormConfig {
  clients: number;
  topics: number;
}

export const storm: Scenario<StormConfig> = {
  id: 'storm',
  title: 'Reconnect storm',
  contenders: ['ws', 'socketio', 'ghost'],
  config: (quick) => (quick ? { clients: 1000, topics: 50 } : { clients: 2000, topics: 100 }),
  describe: (c) => `${c.clients} clients on ${c.topics} topics drop at once and reconnect at once (no backoff), then subscribe again`,
  run: (label, config) =>
    withServer(label, async (server, conns) => {
      const topicOf = (i: number) => `s-${i % config.topics}`;
      const first = await openMany(config.clients, 100, async (i) => {
        const c = await Conn.open(label, server.url);
        conns.push(c);
        await c.join(topicOf(i), 'topic');
        return c;
      });
      await sleep(500);
      const end = await startWindow([server]);
      const t0 = performance.now();
      for (const c of first) c.terminate();
      const times = new Float64Array(config.clients);
      let retries = 0;
      let resumed = 0;
      const reconnect = async (i: number) => {
        const url = label === 'ghost' ? `${server.url}&resume=${encodeURIComponent(first[i]!.resume)}` : server.url;
        for (let attempt = 1; ; attempt++) {
          try {
            const c = await Conn.open(label, url);
            conns.push(c);
            if (label === 'ghost' && c.id === first[i]!.id) resumed += 1;
            await c.join(topicOf(i), 'topic');
            times[i] = performance.now() - t0;
            return;
          } catch (error) {
            if (attempt >= 5) throw error;
            retries += 1;
            await sleep(100 * attempt);
          }
        }
      };
      await Promise.all(Array.from({ length: config.clients }, (_, i) => reconnect(i)));
      const allBackSec = (performance.now() - t0) / 1000;
      const cpu = await end();
      const usage = await server.usage();
      return [
        {
          case: `${config.clients} clients`,
          metrics: {
            allBackSec: round3(allBackSec),
            serverCpuSec: round3(cpu.server[0]!.cpu),
            serverUsPerReconnect: round3((cpu.server[0]!.cpu * 1e6) / config.clients),
            generatorCpuSec: round3(cpu.generator),
            retries,
            ...(label === 'ghost' ? { resumedShare: round3(resumed / config.clients) } : {}),
            serverConnectionsAfter: usage.connections,
          },
          samples: { reconnectMs: Array.from(times) },
        },
      ];
    }),
};
