import type { HubMetrics } from '../metrics.js';
import type { DiffEntry, Participant, PresenceRoom, RoomChanges } from './presence-room.js';

/** A watcher as the batcher sends to it: a hub connection, or anything shaped like one. */
export interface Recipient extends Participant {
  /** Whether it reads too slowly: it then gets no diff, and one snapshot once it has caught up. */
  readonly isSlow: boolean;
  /**
   * The protocol version its client speaks: a version-1 client is sent diffs without its own entries,
   * a later one the room's shared frame, in which it skips its own member id.
   */
  readonly protocol: number;
  send(frame: string): boolean;
}

/** What the batcher needs of the hub's options. */
export interface BatcherOptions {
  tickMs: number;
  metrics?: HubMetrics;
}

/**
 * The presence tick, and everything that goes from rooms to their local watchers: which rooms changed
 * since the last tick, the timer that flushes them, the frames, and the slow readers. Each tick takes
 * every changed room's coalesced changes, assembles one diff frame from their JSON fragments and sends
 * that same frame to each watcher (a version-1 client's copy without its own entries), skips a slow
 * reader until it has caught up
 * and then sends it a snapshot instead; then hands the room and the changes to this node's own shares
 * to `ticked`, for the other nodes.
 */
export class PresenceBatcher<W extends Recipient = Recipient> {
  private readonly dirty = new Set<PresenceRoom<W>>();
  /** Per room, the watchers skipped because they read too slowly: each gets a snapshot once it has caught up. */
  private readonly lagging = new Map<PresenceRoom<W>, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private lastFlush = 0;

  constructor(
    private readonly options: BatcherOptions,
    private readonly ticked: (room: PresenceRoom<W>, own: RoomChanges | undefined) => void,
    /** Whether other nodes are to hear of the room's own changes: when not, `ticked` gets none, and none are built. */
    private readonly toOthers: (room: PresenceRoom<W>) => boolean = () => true,
  ) {}

  /** The room changed: it is flushed with the next tick. A room's `changed` hook. */
  readonly mark = (room: PresenceRoom<W>): void => {
    this.dirty.add(room);
    // A timer only while something is pending: an idle hub wakes up for nothing. While changes keep
    // coming it is due one tick after the last flush (not after this change, or a steady mover would
    // get fewer than one frame per tick); after a quiet spell, one tick from now, to gather a burst.
    if (this.timer) return;
    const due = this.lastFlush + this.options.tickMs - Date.now();
    this.timer = setTimeout(() => this.flush(), due > 0 ? due : this.options.tickMs);
  };

  /**
   * Sends a watcher every announced member of the room but itself. Sent when it starts watching, so
   * that every later diff follows it in order; the changes still pending reach it with the next tick.
   */
  snapshot(room: PresenceRoom<W>, watcher: W): void {
    this.lagging.get(room)?.delete(watcher.id); // this is the snapshot it waited for
    const members = room.snapshot(room.memberId(watcher)).join(',');
    watcher.send(`{"type":"presence.snapshot","room":${JSON.stringify(room.name)},"members":[${members}]}`);
  }

  /** Sends every pending change now (the tick does this by itself). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastFlush = Date.now();
    const rooms = [...this.dirty];
    this.dirty.clear();
    for (const room of rooms) {
      const { entries, own } = room.take(this.toOthers(room));
      if (entries.length > 0) this.deliver(room, entries);
      this.catchUp(room);
      this.ticked(room, own);
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * One frame, the same string for every watcher: a client reads past its own entries by their member
   * id. A version-1 client was promised never to receive them, so when it has one in the frame it gets
   * a copy with that entry cut out (or nothing, when it was the only one).
   */
  private deliver(room: PresenceRoom<W>, entries: DiffEntry[]): void {
    const { frame: shared, spans } = assemble(`{"type":"presence.diff","room":${JSON.stringify(room.name)}`, entries);
    let lagging = this.lagging.get(room);
    let cutFor: W[] | undefined;
    let cuts: Map<string, [number, number]> | undefined;
    for (const watcher of room.watchers.values()) {
      // Latest wins for a slow reader: no diff now, the newest state in one snapshot when it caught up.
      if (lagging?.has(watcher.id) || watcher.isSlow) {
        if (!lagging) this.lagging.set(room, (lagging = new Set()));
        lagging.add(watcher.id);
        if (this.options.metrics) this.options.metrics.presenceDropped += 1;
        continue;
      }
      // Looked up only for a version-1 watcher: a room of current clients never builds the map.
      if (watcher.protocol === 1 && (cuts ??= cutsOf(entries, spans)).has(room.memberId(watcher))) (cutFor ??= []).push(watcher);
      else watcher.send(shared);
    }
    // The cut copies after the shared sends, so that those follow each other and the hub frames the
    // shared text once (the last-frame cache of text-frames.ts). Cut out of the shared frame rather
    // than re-encoded (an id is in one list at most).
    if (!cutFor || entries.length === 1) return;
    for (const watcher of cutFor) {
      const [a, b] = cuts!.get(room.memberId(watcher))!;
      watcher.send(shared.slice(0, a) + shared.slice(b));
    }
  }

  /** Sends a snapshot to each lagging watcher that has caught up; the others are checked again next tick. */
  private catchUp(room: PresenceRoom<W>): void {
    const lagging = this.lagging.get(room);
    if (!lagging) return;
    for (const id of lagging) {
      const watcher = room.watchers.get(id);
      if (watcher?.isSlow) continue;
      lagging.delete(id); // caught up, or no longer watching
      if (watcher) this.snapshot(room, watcher);
    }
    if (lagging.size === 0) this.lagging.delete(room);
    else this.mark(room);
  }
}

/**
 * The frame of one tick, and where each entry sits in it (`spans[2i]` to `spans[2i + 1]`, for
 * {@link cutsOf}). `entries` come from `PresenceRoom.take`: joins, then updates, then leaves. Empty
 * lists are left out: most ticks of a busy room are updates only, and every byte goes to every watcher.
 */
function assemble(head: string, entries: DiffEntry[]): { frame: string; spans: number[] } {
  const spans = new Array<number>(entries.length * 2);
  let frame = head;
  let list: DiffEntry['list'] | undefined;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.list !== list) {
      frame += `${list === undefined ? '' : ']'}${listHead(e.list)}`;
      list = e.list;
    } else frame += ',';
    spans[2 * i] = frame.length;
    frame += e.json;
    spans[2 * i + 1] = frame.length;
  }
  return { frame: `${frame}${list === undefined ? '' : ']'}}`, spans };
}

/**
 * For each member id in the frame, the span to cut out for that member's own version-1 watchers: its
 * entry and one comma, or the whole `,"name":[…]` when it is the only entry of its list.
 */
function cutsOf(entries: DiffEntry[], spans: number[]): Map<string, [number, number]> {
  const cuts = new Map<string, [number, number]>();
  for (let i = 0; i < entries.length; i++) {
    const { id, list } = entries[i]!;
    const start = spans[2 * i]!;
    const end = spans[2 * i + 1]!;
    const alone = entries[i - 1]?.list !== list && entries[i + 1]?.list !== list;
    if (alone) cuts.set(id, [start - listHead(list).length, end + 1]);
    else if (entries[i - 1]?.list !== list) cuts.set(id, [start, end + 1]); // the first: the entry and the comma after it
    else cuts.set(id, [start - 1, end]); // the comma before it and the entry
  }
  return cuts;
}

/** How a list opens in the frame, after the room name or the list before it. */
function listHead(list: DiffEntry['list']): string {
  return `,"${list}":[`;
}
