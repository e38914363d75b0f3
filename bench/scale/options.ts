// The command line of `npm run bench:scale`.
import type { Routing } from './plan.js';
import type { RedisMode } from './redis.js';

export interface ScaleOptions {
  nodes: number;
  perNode: number;
  roomSize: number;
  activeRooms: number;
  moversPerRoom: number;
  hz: [number, number];
  routings: Routing[];
  redis: RedisMode[];
  workers: number;
  concurrency: number;
  idleSeconds: number;
  warmupSeconds: number;
  windowSeconds: number;
  pin: boolean;
  out: string | undefined;
}

export const USAGE = `npm run bench:scale -- [options]

  --nodes=3            hub processes
  --per-node=10000     connections per hub process (all of them members of a presence room)
  --room-size=20       members per room
  --active=0.03        share of rooms with moving cursors
  --movers=5           members moving in an active room (a quarter of 20)
  --hz=10-30           each mover's rate, drawn uniformly from this range (updates/s)
  --routing=room,random   room: a room's members all on one node (room % nodes); random: members spread
  --redis=cluster      cluster (3 masters + 3 replicas), single, or both (cluster,single)
  --workers=3          generator processes (each owns whole rooms)
  --concurrency=50     connections opening at once per generator
  --idle=5 --warmup=5 --window=20   seconds
  --no-pin             do not pin hubs to core 0 and generators + Redis to core 1
  --out=FILE           default bench/results/scale-<date>.json
  --small              3 nodes × 500, window 10 s (a quick check)
`;

export function parseOptions(argv: string[]): ScaleOptions {
  const o: ScaleOptions = {
    nodes: 3,
    perNode: 10_000,
    roomSize: 20,
    activeRooms: 0.03,
    moversPerRoom: 5,
    hz: [10, 30],
    routings: ['room', 'random'],
    redis: ['cluster'],
    workers: 3,
    concurrency: 50,
    idleSeconds: 5,
    warmupSeconds: 5,
    windowSeconds: 20,
    pin: true,
    out: undefined,
  };
  for (const arg of argv) {
    const [flag, value = ''] = arg.split('=') as [string, string?];
    const num = () => {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number, got ${JSON.stringify(value)}`);
      return n;
    };
    switch (flag) {
      case '--nodes': o.nodes = num(); break;
      case '--per-node': o.perNode = num(); break;
      case '--room-size': o.roomSize = num(); break;
      case '--active': o.activeRooms = num(); break;
      case '--movers': o.moversPerRoom = num(); break;
      case '--hz': {
        const [a, b = a] = value.split('-').map(Number) as [number, number?];
        if (!(a! > 0 && b! >= a!)) throw new Error(`--hz wants MIN-MAX, got ${value}`);
        o.hz = [a!, b!];
        break;
      }
      case '--routing': o.routings = value.split(',').map((r) => check(r, ['room', 'random'], flag)); break;
      case '--redis': o.redis = value.split(',').map((r) => check(r, ['cluster', 'single'], flag)); break;
      case '--workers': o.workers = num(); break;
      case '--concurrency': o.concurrency = num(); break;
      case '--idle': o.idleSeconds = num(); break;
      case '--warmup': o.warmupSeconds = num(); break;
      case '--window': o.windowSeconds = num(); break;
      case '--no-pin': o.pin = false; break;
      case '--out': o.out = value; break;
      case '--small': Object.assign(o, { perNode: 500, windowSeconds: 10, idleSeconds: 3, warmupSeconds: 3, activeRooms: 0.2 }); break;
      case '--help': case '-h': process.stdout.write(USAGE); process.exit(0); break;
      default: throw new Error(`unknown option ${arg}\n\n${USAGE}`);
    }
  }
  if (o.moversPerRoom >= o.roomSize) throw new Error('--movers must leave at least one watcher per room (the sampled one)');
  if ((o.nodes * o.perNode) % o.roomSize !== 0) throw new Error('--nodes × --per-node must be a multiple of --room-size');
  return o;
}

function check<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${flag}: ${value} is not one of ${allowed.join(', ')}`);
  return value as T;
}
