// The workload, computed the same way by the orchestrator and every generator process from the
// options alone: which rooms move, who moves at what rate, who is sampled, and which hub node each
// member connects to under each routing.
export type Routing = 'room' | 'random';

export interface Workload {
  nodes: number;
  perNode: number;
  roomSize: number;
  /** Share of the rooms in which someone is moving (the rest only hold their members). */
  activeRooms: number;
  /** Members moving in an active room. */
  moversPerRoom: number;
  /** Each mover sends at a rate drawn uniformly from this range, in updates per second. */
  hz: [number, number];
  routing: Routing;
  /** Generator processes; each owns whole rooms (so a room's movers and its sampled watcher share a clock). */
  workers: number;
  /** Loopback source addresses to connect from (each gives its own ~28,000 ephemeral ports). */
  sources: string[];
}

export interface Member {
  /** Index over all members (room * roomSize + slot). */
  index: number;
  room: number;
  node: number;
  /** Updates per second, 0 for members that only hold their state. */
  hz: number;
  /** Decodes what it receives to measure staleness (one per active room, never a mover). */
  sampled: boolean;
  source: string;
}

export const roomName = (room: number) => `r${room}`;

/** Deterministic PRNG (mulberry32), so every process computes the same plan. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function roomCount(w: Workload): number {
  return Math.floor((w.nodes * w.perNode) / w.roomSize);
}

/** The set of active rooms, spread at random over the room numbers (same for both routings). */
export function activeRoomSet(w: Workload): Set<number> {
  const rooms = roomCount(w);
  const want = Math.round(rooms * w.activeRooms);
  const order = shuffle([...Array(rooms).keys()], prng(7));
  return new Set(order.slice(0, want));
}

/** Every member of the rooms a generator process owns (room % workers === worker). */
export function membersOf(w: Workload, worker: number): Member[] {
  const rooms = roomCount(w);
  const total = rooms * w.roomSize;
  const active = activeRoomSet(w);
  // Random routing: an exact balance of members per node, shuffled over the members.
  const randomNode = w.routing === 'random' ? shuffle(Array.from({ length: total }, (_, i) => i % w.nodes), prng(11)) : undefined;
  const rates = prng(13);
  const out: Member[] = [];
  for (let room = 0; room < rooms; room++) {
    const isActive = active.has(room);
    for (let slot = 0; slot < w.roomSize; slot++) {
      const index = room * w.roomSize + slot;
      // Drawn for every member so the rates do not depend on the worker count.
      const rate = w.hz[0] + rates() * (w.hz[1] - w.hz[0]);
      if (room % w.workers !== worker) continue;
      out.push({
        index,
        room,
        node: randomNode ? randomNode[index]! : room % w.nodes,
        hz: isActive && slot < w.moversPerRoom ? rate : 0,
        sampled: isActive && slot === w.roomSize - 1,
        source: w.sources[index % w.sources.length]!,
      });
    }
  }
  return out;
}

function shuffle<T>(list: T[], random: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}
