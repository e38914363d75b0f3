// Cursor rooms: R rooms × M members, each member moving at `hz` (spread over 8 timer turns per period,
// not all in the same millisecond). State {"m":member,"n":seq,"t":stamp,"x":…,"y":…}.
//
// A "cursor update delivered" is one member's state received by one client, however many share a frame:
// cheap clients count `{"m":` occurrences (minus their own state, which ws-coalesced and Ghost send back
// in the room's one shared frame; only the others' states count).
// One probe per room decodes every state: staleness (receive time − the state's stamp) and whether an
// older state of a member ever arrived after a newer one ("regressions": must be 0).
import { clock, header, mergeProbes, pace, Probe, sleep, stamp, startWindow } from './load.js';
import { profiled, round3, withServer, type Scenario } from './scenario.js';
import { Conn, newTotals, openMany } from './wire.js';

export interface CursorsConfig {
  rooms: number;
  perRoom: number;
  hz: number;
  warmupMs: number;
  windowMs: number;
}

const NEEDLE = Buffer.from('{"m":');
const ITEM = /\{"m":(\d+),"n":(\d+),"t":([\d.]+)/g;
const SLOTS = 8;

function cursorScenario(id: string, title: string, full: CursorsConfig, quick: CursorsConfig): Scenario<CursorsConfig> {
  return {
    id,
    title,
    // ws-tick (diagnostic): the coalesced limit sending per socket like Ghost, to tell framing from Ghost's own work.
    contenders: ['ws', 'ws-coalesced', 'ws-tick', 'socketio', 'ghost'],
    config: (q) => (q ? quick : full),
    describe: (c) => `${c.rooms} rooms × ${c.perRoom} members moving at ${c.hz} Hz (${c.rooms * c.perRoom * c.hz} updates/s in), ${c.windowMs / 1000} s window`,
    run: (label, config, ctx) =>
      withServer(label, async (server, conns) => {
        const n = config.rooms * config.perRoom;
        const totals = newTotals();
        let decoded = 0;
        let probeBytes = 0;
        let probeFrames = 0;
        const probes: Probe[] = [];
        const clients = await openMany(n, 100, async (i) => {
          const c = await Conn.open(label, server.url);
          conns.push(c);
          const room = `room-${Math.floor(i / config.perRoom)}`;
          await c.join(room, 'cursor');
          const own = Buffer.from(`{"m":${i},`);
          if ((i + 1) % config.perRoom === 0) {
            const probe = new Probe();
            probes.push(probe);
            c.onData = (frame) => {
              probeFrames += 1;
              probeBytes += frame.length + header(frame.length);
              const at = clock();
              for (const m of frame.toString().matchAll(ITEM)) {
                if (Number(m[1]) === i) continue;
                decoded += 1;
                probe.record(Number(m[1]), Number(m[2]), Number(m[3]), at);
              }
            };
          } else c.count(totals, NEEDLE, own);
          return { c, room };
        });
        const seqs = new Uint32Array(n);
        let moves = 0;
        // SLOTS turns per period; in turn k the members with i % SLOTS === k % SLOTS move.
        const mover = pace(config.hz * SLOTS, (k) => {
          const slot = k % SLOTS;
          const a = (k / SLOTS / config.hz) * 2;
          for (let i = slot; i < n; i += SLOTS) {
            const { c, room } = clients[i]!;
            const angle = a + i;
            c.move(room, `{"m":${i},"n":${seqs[i]!++},"t":${stamp()},"x":${(0.5 + 0.4 * Math.cos(angle)).toFixed(4)},"y":${(0.5 + 0.4 * Math.sin(angle)).toFixed(4)}}`);
            moves += 1;
          }
        });
        try {
          await sleep(config.warmupMs);
          Object.assign(totals, newTotals());
          decoded = probeBytes = probeFrames = moves = 0;
          for (const p of probes) p.reset();
          const cpu = await profiled(server, ctx, `${id}-${label}`, async () => {
            const end = await startWindow([server]);
            await sleep(config.windowMs);
            return end();
          });
          const sentMoves = moves;
          const delivered = totals.hits + decoded;
          const bytes = totals.bytes + probeBytes;
          const frames = totals.frames + probeFrames;
          const s = cpu.server[0]!;
          const p = mergeProbes(probes);
          return [
            {
              case: `${config.rooms}×${config.perRoom} @ ${config.hz} Hz`,
              metrics: {
                updatesPerServerCpuSec: round3(delivered / Math.max(1e-6, s.cpu)),
                updatesDeliveredPerSec: round3(delivered / cpu.seconds),
                deliveredShare: round3(delivered / Math.max(1, sentMoves * (config.perRoom - 1))),
                sentPerSec: round3(sentMoves / cpu.seconds),
                serverCpuShare: round3(s.cpu / cpu.seconds),
                serverUserShare: round3(s.user / cpu.seconds),
                generatorCpuShare: round3(cpu.generator / cpu.seconds),
                framesPerClientPerSec: round3(frames / n / cpu.seconds),
                wireKiBPerClientPerSec: round3(bytes / n / cpu.seconds / 1024),
                wireBytesPerUpdate: round3(bytes / Math.max(1, delivered)),
                regressions: p.regressions,
              },
              samples: { staleness: p.latency },
            },
          ];
        } finally {
          mover.stop();
        }
      }),
  };
}

export const cursorsHeavy = cursorScenario(
  'cursors',
  'Cursor rooms',
  { rooms: 40, perRoom: 25, hz: 30, warmupMs: 1500, windowMs: 3000 },
  { rooms: 40, perRoom: 25, hz: 30, warmupMs: 1000, windowMs: 1500 },
);

export const cursorsLight = cursorScenario(
  'cursors-light',
  'Cursor rooms, light (the naive relays keep up)',
  { rooms: 10, perRoom: 10, hz: 30, warmupMs: 1000, windowMs: 2500 },
  { rooms: 10, perRoom: 10, hz: 30, warmupMs: 1000, windowMs: 1500 },
);
