/**
 * What one room's presence traffic between nodes depends on: which other nodes have watchers there
 * (this node sends its members' changes only while there is one), and what this node told the others
 * about its own watchers.
 */
export class RoomInterest {
  /** Other nodes with watchers in the room, as they announced it. */
  readonly peers = new Set<string>();
  /** The room's channel is subscribed and the others were greeted: from now on they hear our announcements. */
  linked = false;
  /** What this node last announced: whether it has watchers here (and so wants the others' changes). */
  watching = false;
  /**
   * When this node last announced it watches: every node with members here answers with its full list,
   * so a change from a node not heard from yet is left to that answer for a while.
   */
  askedAt = 0;
  /** The last envelope `seq` heard from each other node here (from its changes or its full list). */
  readonly seen = new Map<string, number>();
}

/**
 * For each node declared down, the rooms to greet it in again once it is heard from: the rooms it had
 * a part in here when it went silent, and those in which this node announced something it missed
 * meanwhile. Bounded: only rooms this node still has, for the `limit` nodes that went down last.
 */
export class MissedRooms {
  private readonly byNode = new Map<string, Set<string>>();

  constructor(private readonly limit = 64) {}

  /** `node` went silent while sharing `rooms` with this node. */
  down(node: string, rooms: Iterable<string>): void {
    this.byNode.delete(node);
    this.byNode.set(node, new Set(rooms));
    // A node that never comes back (a crash; a restart gets a new id) must not be kept forever.
    for (const oldest of this.byNode.keys()) {
      if (this.byNode.size <= this.limit) break;
      this.byNode.delete(oldest);
    }
  }

  /** This node announced something in `room`: the nodes down now did not hear it. */
  announced(room: string): void {
    for (const rooms of this.byNode.values()) rooms.add(room);
  }

  /** `node` is heard from again: the rooms to greet it in (and it is forgotten here). */
  up(node: string): Set<string> | undefined {
    const rooms = this.byNode.get(node);
    this.byNode.delete(node);
    return rooms;
  }

  /** This node let `room` go: a node coming back will hear of it when it is taken up again. */
  forget(room: string): void {
    for (const rooms of this.byNode.values()) rooms.delete(room);
  }
}

/**
 * Rooms this node stopped watching lately. A goodbye sent during a short outage of this node's own bus
 * link is lost, and the others would go on sending their changes to nobody; so it is said again when
 * the link is back. Only recent ones are kept: after an outage longer than the node timeout the
 * others have dropped this node's interest anyway.
 */
export class Farewells {
  /** When each goodbye was said, oldest first. */
  private readonly at = new Map<string, number>();

  constructor(private readonly keepMs: number) {}

  said(room: string): void {
    this.at.delete(room);
    this.at.set(room, Date.now());
    this.prune();
  }

  /** This node watches the room again: no goodbye to repeat. */
  cancel(room: string): void {
    this.at.delete(room);
  }

  /** The rooms to say goodbye in again. */
  recent(): string[] {
    this.prune();
    return [...this.at.keys()];
  }

  private prune(): void {
    const cutoff = Date.now() - this.keepMs;
    for (const [room, at] of this.at) {
      if (at >= cutoff) break;
      this.at.delete(room);
    }
  }
}
