import { ErrorCode, GhostError, type LeaveReason } from '@ghost/protocol';
import type { Connection } from '../connection.js';
import { PresenceRoom, type PresenceKey } from './presence-room.js';

/** Every presence room of this node, and the tick that sends their coalesced changes. */
export class Presence {
  private readonly rooms = new Map<string, PresenceRoom>();
  private readonly dirty = new Set<PresenceRoom>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: { tickMs: number; maxRooms: number; maxStateBytes: number; keyBy: PresenceKey }) {}

  get roomCount(): number {
    return this.rooms.size;
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

  /** Sends every pending change now (the tick does this by itself). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const rooms = [...this.dirty];
    this.dirty.clear();
    for (const room of rooms) {
      room.flush();
      if (room.isEmpty) this.rooms.delete(room.name);
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
    if (!room) this.rooms.set(name, (room = new PresenceRoom(name, this.options.keyBy)));
    return room;
  }

  private markDirty(room: PresenceRoom): void {
    this.dirty.add(room);
    // A timer only while something is pending: an idle hub wakes up for nothing.
    this.timer ??= setTimeout(() => this.flush(), this.options.tickMs);
  }
}
