import { ErrorCode, GhostError, type LeaveReason } from '@ghost/protocol';
import { channels, type Cluster, type Envelope } from '../cluster.js';
import type { Connection } from '../connection.js';
import { PresenceRoom, type MemberFragments, type PresenceKey } from './presence-room.js';
import type { HubMetrics } from '../ops/metrics.js';

/** What presence needs to know of the hub's options. */
export interface PresenceOptions {
  tickMs: number;
  maxRooms: number;
  maxStateBytes: number;
  keyBy: PresenceKey;
  metrics?: HubMetrics;
}

/**
 * Every presence room of this node, the tick that sends their coalesced changes, and the room's
 * share of the cluster: each node owns its own connections' members, sends one envelope of changes
 * per room per tick, answers a newcomer node's sync, and drops the members of a node gone silent.
 */
export class Presence {
  private readonly rooms = new Map<string, PresenceRoom>();
  private readonly dirty = new Set<PresenceRoom>();
  private timer: NodeJS.Timeout | undefined;
  private lastFlush = 0;
  /** This node's presence envelopes sent, per room. */
  private readonly sent = new Map<string, number>();
  /** The last envelope seen from each node for each room (`node room` → seq). */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly options: PresenceOptions,
    private readonly cluster: Cluster,
    private readonly reportError: (error: Error) => void,
  ) {}

  get roomCount(): number {
    return this.rooms.size;
  }

  /** Every room this node knows (for the inspector). */
  list(): IterableIterator<PresenceRoom> {
    return this.rooms.values();
  }

  /** This node's own members of a room, for a cluster-wide read of it. */
  localMembers(name: string): MemberFragments[] {
    return this.rooms.get(name)?.localMembers() ?? [];
  }

  get memberCount(): number {
    let total = 0;
    for (const room of this.rooms.values()) total += room.memberCount;
    return total;
  }

  join(connection: Connection, name: string): void {
    const room = this.room(connection, name);
    room.watch(connection);
  }

  track(connection: Connection, name: string, state: unknown): void {
    const stateJson = JSON.stringify(state);
    // Length is a lower bound of the UTF-8 size: count bytes only when it could matter.
    const bytes = stateJson.length * 3 > this.options.maxStateBytes ? Buffer.byteLength(stateJson) : stateJson.length;
    if (bytes > this.options.maxStateBytes) {
      throw new GhostError(ErrorCode.TOO_LARGE, `Presence state is ${bytes} bytes; the limit is ${this.options.maxStateBytes}`);
    }
    const room = this.room(connection, name);
    if (!room.watchers.has(connection.id)) room.watch(connection);
    room.track(connection, stateJson);
    this.markDirty(room);
  }

  untrack(connection: Connection, name: string, reason: LeaveReason = 'left'): void {
    const room = this.rooms.get(name);
    if (!room) return;
    room.untrack(connection, reason);
    this.markDirty(room);
  }

  leave(connection: Connection, name: string, reason: LeaveReason = 'left'): void {
    const room = this.rooms.get(name);
    connection.rooms.delete(name);
    if (!room) return;
    room.untrack(connection, reason);
    room.unwatch(connection);
    this.markDirty(room);
  }

  /** Removes a connection that ended from every room, with the reason others will see. */
  drop(connection: Connection, reason: LeaveReason): void {
    for (const name of [...connection.rooms]) this.leave(connection, name, reason);
  }

  /** Handles a presence envelope from another node. */
  receive(envelope: Envelope): void {
    const room = 'room' in envelope ? this.rooms.get(envelope.room) : undefined;
    if (!room) return;
    const key = `${envelope.node} ${room.name}`;
    if (envelope.kind === 'presence') {
      const last = this.seen.get(key);
      this.seen.set(key, envelope.seq);
      room.applyRemote(envelope.node, envelope);
      // Missed something from that node (a partition, a lost frame): its full list repairs it.
      if (last === undefined || envelope.seq !== last + 1) this.requestSync(room, envelope.node);
    } else if (envelope.kind === 'presence.members') {
      this.seen.set(key, envelope.seq);
      room.replaceOwner(envelope.node, envelope.members);
    } else if (envelope.kind === 'presence.sync') {
      if (envelope.target !== undefined && envelope.target !== this.cluster.nodeId) return;
      const members = room.localMembers();
      // An empty answer matters too when targeted: it tells the asker our members there are gone.
      if (members.length > 0 || envelope.target !== undefined) {
        this.send(channels.node(this.cluster.prefix, envelope.node), {
          kind: 'presence.members', room: room.name, seq: this.sent.get(room.name) ?? 0, members,
        });
      }
      return;
    } else {
      return;
    }
    this.markDirty(room);
  }

  /** A node came (back) into view: ask it for its members of every room we share. */
  nodeUp(): void {
    for (const room of this.rooms.values()) this.requestSync(room);
  }

  /**
   * This node's bus link is back after an outage: what it sent and heard meanwhile was lost. Tell
   * every room our full member list (others replace what they had of ours) and ask for theirs.
   */
  resync(): void {
    for (const room of this.rooms.values()) {
      this.send(this.channel(room.name), { kind: 'presence.members', room: room.name, seq: this.sent.get(room.name) ?? 0, members: room.localMembers() });
      this.requestSync(room);
    }
  }

  /** A node went silent: its members leave everywhere, with reason `node-down`. */
  nodeDown(node: string): void {
    for (const key of [...this.seen.keys()]) if (key.startsWith(`${node} `)) this.seen.delete(key);
    for (const room of this.rooms.values()) {
      room.dropOwner(node, 'node-down');
      this.markDirty(room);
    }
  }

  /** Sends every pending change now (the tick does this by itself). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastFlush = Date.now();
    const rooms = [...this.dirty];
    this.dirty.clear();
    for (const room of rooms) {
      const own = room.flush();
      if (room.hasLagging) this.markDirty(room); // check again next tick whether they caught up
      if (own) {
        const seq = (this.sent.get(room.name) ?? 0) + 1;
        this.sent.set(room.name, seq);
        this.send(this.channel(room.name), { kind: 'presence', room: room.name, seq, ...own });
      }
      if (room.isIdle && this.rooms.get(room.name) === room) {
        this.rooms.delete(room.name);
        for (const key of [...this.seen.keys()]) if (key.endsWith(` ${room.name}`)) this.seen.delete(key);
        this.syncChannel(room.name);
      }
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private room(connection: Connection, name: string): PresenceRoom {
    if (!connection.rooms.has(name)) {
      if (connection.rooms.size >= this.options.maxRooms) {
        throw new GhostError(ErrorCode.FORBIDDEN, `A connection may be in at most ${this.options.maxRooms} presence rooms`);
      }
      connection.rooms.add(name);
    }
    let room = this.rooms.get(name);
    if (!room) {
      this.rooms.set(name, (room = new PresenceRoom(name, this.options.keyBy, this.options.metrics)));
      const created = room;
      // Listen to the room first, then ask the other nodes for their members: none is missed between.
      this.syncChannel(name).then(() => {
        if (this.rooms.get(name) === created) this.requestSync(created);
      }, () => undefined);
    }
    return room;
  }

  private syncChannel(name: string): Promise<void> {
    const done = this.cluster.sync(this.channel(name), () => this.rooms.has(name), (envelope) => this.receive(envelope));
    done.catch((error: Error) => this.reportError(error));
    return done;
  }

  /** Asks every node (or one) for its members of a room; the answers come on this node's channel. */
  private requestSync(room: PresenceRoom, target?: string): void {
    this.send(this.channel(room.name), target === undefined ? { kind: 'presence.sync', room: room.name } : { kind: 'presence.sync', room: room.name, target });
  }

  private send(channel: string, body: Parameters<Cluster['publish']>[1]): void {
    void this.cluster.publish(channel, body);
  }

  private channel(room: string): string {
    return channels.presence(this.cluster.prefix, room);
  }

  private markDirty(room: PresenceRoom): void {
    this.dirty.add(room);
    // A timer only while something is pending: an idle hub wakes up for nothing. While changes keep
    // coming it is due one tick after the last flush (not after this change, or a steady mover would
    // get fewer than one frame per tick); after a quiet spell, one tick from now, to gather a burst.
    if (this.timer) return;
    const due = this.lastFlush + this.options.tickMs - Date.now();
    this.timer = setTimeout(() => this.flush(), due > 0 ? due : this.options.tickMs);
  }
}
