import { ErrorCode, GhostError, type LeaveReason } from '@ghost/protocol';
import { channels, type Cluster, type Envelope } from '../cluster.js';
import type { Connection } from '../connection.js';
import { Farewells, MissedRooms, RoomInterest } from './presence-interest.js';
import type { PresenceKey } from '../options.js';
import { PresenceBatcher } from './presence-batcher.js';
import { PresenceRoom, type MemberFragments, type RoomChanges } from './presence-room.js';
import type { HubMetrics } from '../metrics.js';

/** What presence needs to know of the hub's options. */
export interface PresenceOptions {
  tickMs: number;
  maxRooms: number;
  maxStateBytes: number;
  keyBy: PresenceKey;
  /** How long another node may stay silent before it counts as down: also how long an answer may take. */
  nodeTimeoutMs: number;
  metrics?: HubMetrics;
}

type Body = Parameters<Cluster['publish']>[1];

/**
 * Every presence room of this node, what its clients do there, and each room's part in the cluster
 * (the batcher sends the rooms' coalesced changes to their watchers, once per tick): each node owns
 * its own connections' shares of members (keyed by user, one member can have a share on several
 * nodes) and sends one envelope of their changes per room per tick, but only while another node has
 * watchers in the room. Nodes announce on the room's channel when they gain their first watcher
 * there and lose their last; a node that hears of a new watching node sends it its full list first,
 * then changes. The shares of a node gone silent are dropped (members held by no other node leave),
 * and so is its interest.
 */
export class Presence {
  private readonly rooms = new Map<string, PresenceRoom<Connection>>();
  /** Who watches each room of this node across the cluster, by room name (same keys as `rooms`). */
  private readonly interest = new Map<string, RoomInterest>();
  private readonly missed = new MissedRooms();
  private readonly farewells: Farewells;
  private readonly batcher: PresenceBatcher<Connection>;
  /** This node's presence envelopes sent, per room. */
  private readonly sent = new Map<string, number>();

  constructor(
    private readonly options: PresenceOptions,
    private readonly cluster: Cluster,
    private readonly reportError: (error: Error) => void,
  ) {
    // Twice the timeout: the others check silence once per heartbeat, so they may drop us a little late.
    this.farewells = new Farewells(2 * options.nodeTimeoutMs);
    this.batcher = new PresenceBatcher(options, (room, own) => this.ticked(room, own), (room) => this.hasPeers(room.name));
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  /** Every room this node knows (for the inspector). */
  list(): IterableIterator<PresenceRoom> {
    return this.rooms.values();
  }

  /** This node's own shares of a room's members, for a cluster-wide read of it. */
  localMembers(name: string): MemberFragments[] {
    return this.rooms.get(name)?.localMembers() ?? [];
  }

  get memberCount(): number {
    let total = 0;
    for (const room of this.rooms.values()) total += room.memberCount;
    return total;
  }

  join(connection: Connection, name: string): void {
    this.watch(this.room(connection, name), connection);
    // No tick needed to tell the others: a room exists here only while it has watchers (members watch
    // too), so its hello, sent once its channel is subscribed, already says we watch.
  }

  /** `stateJson` is the state as compact JSON (as the client wrote it, or re-serialised): the text every frame of the member carries. */
  track(connection: Connection, name: string, stateJson: string): void {
    // Length is a lower bound of the UTF-8 size: count bytes only when it could matter.
    const bytes = stateJson.length * 3 > this.options.maxStateBytes ? Buffer.byteLength(stateJson) : stateJson.length;
    if (bytes > this.options.maxStateBytes) {
      throw new GhostError(ErrorCode.TOO_LARGE, `Presence state is ${bytes} bytes; the limit is ${this.options.maxStateBytes}`);
    }
    const room = this.room(connection, name);
    if (!room.watchers.has(connection.id)) this.watch(room, connection);
    room.track(connection, stateJson); // the room tells the batcher it has changes
  }

  untrack(connection: Connection, name: string, reason: LeaveReason = 'left'): void {
    const room = this.rooms.get(name);
    room?.untrack(connection, reason);
  }

  leave(connection: Connection, name: string, reason: LeaveReason = 'left'): void {
    const room = this.rooms.get(name);
    connection.rooms.delete(name);
    if (!room) return;
    room.untrack(connection, reason);
    room.unwatch(connection);
  }

  /** Removes a connection that ended from every room, with the reason others will see. */
  drop(connection: Connection, reason: LeaveReason): void {
    for (const name of [...connection.rooms]) this.leave(connection, name, reason);
  }

  /** Handles a presence envelope from another node. */
  receive(envelope: Envelope): void {
    const room = 'room' in envelope ? this.rooms.get(envelope.room) : undefined;
    const interest = room && this.interest.get(room.name);
    if (!room || !interest) return;
    if ('target' in envelope && envelope.target !== undefined && envelope.target !== this.cluster.nodeId) return;
    const from = envelope.node;
    if (envelope.kind === 'presence') {
      this.receiveChanges(room, interest, envelope);
    } else if (envelope.kind === 'presence.members') {
      if (envelope.watching) this.peerWatches(room, interest, from, false);
      // Without a watcher here other nodes' members are not kept (their changes stop coming).
      if (!interest.watching) return;
      interest.seen.set(from, envelope.seq);
      room.replaceOwner(from, envelope.members);
    } else if (envelope.kind === 'presence.interest') {
      if (envelope.hello) {
        interest.seen.delete(from); // it starts over in this room
        if (interest.watching) interest.askedAt = Date.now(); // its list follows our answer
      }
      let told = false;
      if (!envelope.watching) interest.peers.delete(from);
      else told = this.peerWatches(room, interest, from, envelope.hello === true, interest.linked && interest.watching);
      // A newcomer cannot know we watch: say so, unless our member list already did.
      if (envelope.hello && interest.linked && interest.watching && !told) {
        this.send(room.name, { kind: 'presence.interest', room: room.name, watching: true, target: from });
      }
    } else if (envelope.kind === 'presence.sync') {
      // It missed some of our envelopes: our full list, even empty (it tells that our members are gone).
      interest.peers.add(from);
      this.sendMembers(room, from, false, true);
    }
  }

  /** A node came (back) into view: greet it in the rooms where it missed something while it was gone. */
  nodeUp(node: string): void {
    // A node never seen before (just started) learns everything from its own hellos: nothing to do here.
    for (const name of this.missed.up(node) ?? []) {
      const room = this.rooms.get(name);
      const interest = this.interest.get(name);
      if (room && interest?.linked) this.greet(room, interest, node);
    }
  }

  /**
   * This node's bus link is back after an outage: what it sent and heard meanwhile was lost. Greet
   * every room again as if new: watching nodes say so (and get our full list), and if we watch, the
   * others send theirs (which replace what we had of them).
   */
  resync(): void {
    for (const room of this.rooms.values()) {
      const interest = this.interest.get(room.name);
      if (!interest?.linked) continue; // its first hello is still to come
      interest.peers.clear();
      interest.seen.clear();
      this.greet(room, interest);
    }
    for (const name of this.farewells.recent()) {
      if (!this.rooms.has(name)) this.send(name, { kind: 'presence.interest', room: name, watching: false });
    }
  }

  /**
   * A node went silent: its shares end, so members no other node holds leave with reason `node-down`;
   * its interest is dropped.
   */
  nodeDown(node: string): void {
    const shared: string[] = [];
    for (const room of this.rooms.values()) {
      const interest = this.interest.get(room.name);
      interest?.seen.delete(node);
      if (interest?.peers.delete(node) || room.hasOwner(node)) shared.push(room.name);
      room.dropOwner(node, 'node-down');
    }
    this.missed.down(node, shared);
  }

  /** Sends every pending change now (the tick does this by itself). */
  flush(): void {
    this.batcher.flush();
  }

  close(): void {
    this.batcher.close();
  }

  /**
   * A room's tick, once its watchers have their frames: tells the other nodes whether we still watch
   * and the changes to our own shares, and lets the room go when nothing here needs it any more.
   */
  private ticked(room: PresenceRoom, own: RoomChanges | undefined): void {
    const interest = this.interest.get(room.name);
    if (interest) this.announce(room, interest);
    // `own` is taken only while another node watches (`hasPeers`). Nobody else watching: nothing goes
    // out, and `seq` stays, so whoever watches next sees no gap (it gets our full list first, numbered
    // with the last `seq` we sent).
    if (own) {
      const seq = (this.sent.get(room.name) ?? 0) + 1;
      this.sent.set(room.name, seq);
      this.send(room.name, { kind: 'presence', room: room.name, seq, ...own });
    }
    if (room.isIdle && this.rooms.get(room.name) === room) {
      this.rooms.delete(room.name);
      this.interest.delete(room.name);
      this.sent.delete(room.name);
      this.missed.forget(room.name);
      this.syncChannel(room.name);
    }
  }

  /** Whether another node watches the room: only then do this node's changes to it go out. */
  private hasPeers(name: string): boolean {
    return (this.interest.get(name)?.peers.size ?? 0) > 0;
  }

  /** Adds a watcher to a room, with the snapshot every later diff builds on. */
  private watch(room: PresenceRoom<Connection>, connection: Connection): void {
    room.watch(connection);
    this.batcher.snapshot(room, connection);
  }

  private room(connection: Connection, name: string): PresenceRoom<Connection> {
    if (!connection.rooms.has(name)) {
      if (connection.rooms.size >= this.options.maxRooms) {
        throw new GhostError(ErrorCode.FORBIDDEN, `A connection may be in at most ${this.options.maxRooms} presence rooms`);
      }
      connection.rooms.add(name);
    }
    let room = this.rooms.get(name);
    if (!room) {
      const { keyBy, metrics } = this.options;
      this.rooms.set(name, (room = new PresenceRoom(name, { keyBy, metrics, node: this.cluster.nodeId, changed: this.batcher.mark })));
      const created = room;
      const interest = new RoomInterest();
      this.interest.set(name, interest);
      // Listen to the room first, then say hello: no answer and no announcement is missed between.
      this.syncChannel(name).then(() => {
        if (this.rooms.get(name) !== created) return;
        interest.linked = true;
        this.greet(created, interest);
      }, () => undefined);
    }
    return room;
  }

  /**
   * Says hello in a room (to every node, or to one): whether we watch, with our current watchers; the
   * others answer as to a newcomer.
   */
  private greet(room: PresenceRoom, interest: RoomInterest, target?: string): void {
    // Said to every node, the hello announces our watchers as they are now; to one, it repeats what
    // the others were last told (the tick announces a change to all of them).
    if (target === undefined) this.setWatching(room, interest, room.watchers.size > 0);
    if (interest.watching) interest.askedAt = Date.now();
    const body: Body = { kind: 'presence.interest', room: room.name, watching: interest.watching, hello: true };
    this.send(room.name, target === undefined ? body : { ...body, target });
    this.missed.announced(room.name);
  }

  /** Tells the other nodes when this node gains its first watcher in a room or loses its last. */
  private announce(room: PresenceRoom, interest: RoomInterest): void {
    const watching = room.watchers.size > 0;
    if (!interest.linked || !this.setWatching(room, interest, watching)) return;
    this.send(room.name, { kind: 'presence.interest', room: room.name, watching });
    this.missed.announced(room.name);
  }

  /** Records whether we watch a room; returns whether that changed. */
  private setWatching(room: PresenceRoom, interest: RoomInterest, watching: boolean): boolean {
    if (watching === interest.watching) return false;
    interest.watching = watching;
    if (watching) {
      interest.askedAt = Date.now();
      this.farewells.cancel(room.name);
    } else {
      this.farewells.said(room.name);
      // Their changes stop coming: a copy of their members kept now would be stale by the next watcher.
      room.forgetRemote();
      interest.seen.clear();
    }
    return true;
  }

  /**
   * Node `from` has watchers in the room: from now on our changes go out. One that newly watches (or
   * says hello) first gets our full list. Returns whether a list was sent.
   */
  private peerWatches(room: PresenceRoom, interest: RoomInterest, from: string, hello: boolean, watching = false): boolean {
    const fresh = !interest.peers.has(from);
    interest.peers.add(from);
    return fresh || hello ? this.sendMembers(room, from, watching) : false;
  }

  /**
   * Sends `target` our members of a room, numbered with the last envelope we sent there so it can tell
   * what follows. Skipped when we have nothing to say (no member, never sent), unless `always`.
   */
  private sendMembers(room: PresenceRoom, target: string, watching: boolean, always = false): boolean {
    const seq = this.sent.get(room.name) ?? 0;
    if (!always && seq === 0 && !room.hasLocalMembers) return false;
    const body: Body = { kind: 'presence.members', room: room.name, seq, members: room.localMembers(), target };
    this.send(room.name, watching ? { ...body, watching: true } : body);
    return true;
  }

  /** One tick of changes from another node: applied in order; a gap asks that node for its full list. */
  private receiveChanges(room: PresenceRoom, interest: RoomInterest, envelope: Extract<Envelope, { kind: 'presence' }>): void {
    if (!interest.watching) return;
    const last = interest.seen.get(envelope.node);
    if (last !== undefined && envelope.seq <= last) return; // already part of a full list we have
    // A node's first envelope (seq 1) starts from nothing. Any later one from a node we have no list
    // of yet: if we asked recently its full list is on the way (it comes after what it already sent).
    const unknown = last === undefined && envelope.seq !== 1;
    if (unknown && Date.now() - interest.askedAt < this.options.nodeTimeoutMs) return;
    interest.seen.set(envelope.node, envelope.seq);
    room.applyRemote(envelope.node, envelope);
    // Missed something from that node (a partition, a lost frame): its full list repairs it.
    if (unknown || (last !== undefined && envelope.seq !== last + 1)) this.requestSync(room, envelope.node);
  }

  private syncChannel(name: string): Promise<void> {
    const done = this.cluster.sync(this.channel(name), () => this.rooms.has(name), (envelope) => this.receive(envelope));
    done.catch((error: Error) => this.reportError(error));
    return done;
  }

  /** Asks one node for its full list of a room's members again; it answers on the room's channel. */
  private requestSync(room: PresenceRoom, target: string): void {
    this.send(room.name, { kind: 'presence.sync', room: room.name, target });
  }

  /**
   * Publishes on a room's channel. Answers go there too, not to the asker's own channel: one channel
   * keeps them in order with the changes that follow them, wherever the bus puts each channel.
   */
  private send(room: string, body: Body): void {
    void this.cluster.publish(this.channel(room), body);
  }

  private channel(room: string): string {
    return channels.presence(this.cluster.prefix, room);
  }
}
