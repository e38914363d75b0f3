import type { LeaveReason, Member } from '@ghost/protocol';
import type { ClientCore, Self } from '../core.js';
import { SafeEmitter } from '../safe-emitter.js';

/** Another member of a presence room, as you see them. */
export interface PresenceMember<T = unknown> {
  /** Their member id: their connection id, or their user id when the hub keys presence by user. */
  readonly id: string;
  /** A CSS colour assigned by the hub. */
  readonly color: string;
  /** Their user, when the hub authenticates. */
  readonly user?: unknown;
  /** The state they last tracked. */
  readonly state: T;
}

/** Events of a presence room; `on` returns the function that stops listening. */
export interface PresenceEvents<T> {
  /** Anything about `others` changed; called with the new array. */
  change: (others: readonly PresenceMember<T>[]) => void;
  /** A member started tracking. */
  join: (member: PresenceMember<T>) => void;
  /** A member tracked a new state. */
  update: (member: PresenceMember<T>) => void;
  /** A member left, and why. */
  leave: (member: PresenceMember<T>, reason: LeaveReason) => void;
  /** Your own state changed (`track`, `untrack`, `leave`): called with it, `undefined` once you no longer track. */
  self: (state: T | undefined) => void;
}

/** Options of presence rooms. */
export interface PresenceOptions {
  /** Least time between two state updates sent to the hub; the newest state wins. @default 16 */
  trackIntervalMs: number;
}

const NO_MEMBERS: readonly PresenceMember<never>[] = Object.freeze([]);

/**
 * A presence room: who is here, with what state. The first `on`, `track` or read of `others` starts
 * watching the room. Get one with `client.presence(room)`.
 */
export class PresenceHandle<T = unknown> {
  private readonly events = new SafeEmitter<PresenceEvents<T>>((thrown) => this.core.reportError(thrown));
  private readonly members = new Map<string, PresenceMember<T>>();
  private othersCache: readonly PresenceMember<T>[] = NO_MEMBERS;
  private watching = false;
  private tracked: { state: T } | undefined;
  // What the hub may still hold for us after a resume, so a reconnect can take it back as well.
  private everWatched = false;
  private everTracked = false;
  private lastSentAt = 0;
  private trailing: ReturnType<typeof setTimeout> | undefined;

  /** @internal */
  constructor(
    private readonly core: ClientCore,
    /** The presence room's name. */
    readonly room: string,
    private readonly options: PresenceOptions,
  ) {}

  /** The other members, in join order, never yourself. A new frozen array each time something changed. */
  get others(): readonly PresenceMember<T>[] {
    this.watch();
    return this.othersCache;
  }

  /**
   * The state you last tracked here, the same value you passed to `track`; `undefined` while you do not
   * track. Unlike `self`, it is there before the hub's welcome and reading it does not watch the room.
   */
  get state(): T | undefined {
    return this.tracked?.state;
  }

  /** You, as others see you: `null` until the hub's welcome. */
  get self(): (Self & {
    /** The state you last tracked here, `undefined` while you do not track. */
    state: T | undefined;
  }) | null {
    const self = this.core.self;
    return self ? { ...self, state: this.tracked?.state } : null;
  }

  /**
   * Makes you a member with this state, replacing the previous one. Calls are throttled to one send
   * per `trackIntervalMs`; the newest state always gets through.
   *
   * @example
   * window.addEventListener('pointermove', (e) => presence.track({ x: e.clientX, y: e.clientY }));
   */
  track(state: T): void {
    this.watch();
    this.tracked = { state };
    this.events.emit('self', state);
    const wait = this.lastSentAt + this.options.trackIntervalMs - Date.now();
    if (wait <= 0) this.sendState();
    else this.trailing ??= setTimeout(() => this.sendState(), wait);
  }

  /** Leaves the member list (others see a `left` leave) and keeps watching the room. */
  untrack(): void {
    if (!this.tracked) return;
    this.tracked = undefined;
    this.cancelTrailing();
    this.core.notify({ type: 'presence.untrack', room: this.room });
    this.events.emit('self', undefined);
  }

  /** Stops watching the room, and leaves the member list. */
  leave(): void {
    if (!this.watching) return;
    const wasTracking = this.tracked !== undefined;
    this.watching = false;
    this.tracked = undefined;
    this.cancelTrailing();
    this.core.notify({ type: 'presence.leave', room: this.room });
    this.replace([]);
    if (wasTracking) this.events.emit('self', undefined);
  }

  /** Listens to a room event; returns the function that stops listening. */
  on<E extends keyof PresenceEvents<T>>(event: E, listener: PresenceEvents<T>[E]): () => void {
    this.watch();
    this.events.on(event, listener as never);
    return () => void this.events.off(event, listener as never);
  }

  /** @internal Called on each (re)connection: watch again and send the state we had. */
  restore(): void {
    if (!this.watching) {
      if (this.everWatched) this.core.notify({ type: 'presence.leave', room: this.room });
      return;
    }
    this.core.notify({ type: 'presence.join', room: this.room });
    if (this.tracked) this.sendState();
    else if (this.everTracked) this.core.notify({ type: 'presence.untrack', room: this.room });
  }

  /** @internal The full member list: events only for what differs from what we had. */
  applySnapshot(members: Member[]): void {
    if (!this.watching) return; // a snapshot for a join we have taken back since
    this.replace(members.filter((m) => m.id !== this.core.self?.member) as PresenceMember<T>[]);
  }

  /** @internal One tick of changes. */
  applyDiff(diff: { joins?: Member[]; updates?: { id: string; state: unknown }[]; leaves?: { id: string; reason: LeaveReason }[] }): void {
    if (!this.watching) return;
    let changed = false;
    for (const member of (diff.joins ?? []) as PresenceMember<T>[]) {
      if (member.id === this.core.self?.member) continue;
      const known = this.members.has(member.id);
      this.members.set(member.id, member);
      this.events.emit(known ? 'update' : 'join', member);
      changed = true;
    }
    for (const { id, state } of diff.updates ?? []) {
      const member = this.members.get(id);
      if (!member) continue; // not in our snapshot yet: its join is still on the way
      const next = { ...member, state: state as T };
      this.members.set(id, next);
      this.events.emit('update', next);
      changed = true;
    }
    for (const { id, reason } of diff.leaves ?? []) {
      const member = this.members.get(id);
      if (!member) continue;
      this.members.delete(id);
      this.events.emit('leave', member, reason);
      changed = true;
    }
    if (changed) this.publishOthers();
  }

  private watch(): void {
    if (this.watching) return;
    this.watching = true;
    this.everWatched = true;
    this.core.notify({ type: 'presence.join', room: this.room });
  }

  private sendState(): void {
    this.cancelTrailing();
    if (!this.tracked) return;
    this.everTracked = true;
    this.lastSentAt = Date.now();
    this.core.notify({ type: 'presence.track', room: this.room, state: this.tracked.state });
  }

  private cancelTrailing(): void {
    clearTimeout(this.trailing);
    this.trailing = undefined;
  }

  private replace(next: PresenceMember<T>[]): void {
    const previous = new Map(this.members);
    this.members.clear();
    let changed = false;
    for (const member of next) {
      this.members.set(member.id, member);
      const before = previous.get(member.id);
      previous.delete(member.id);
      if (!before) {
        this.events.emit('join', member);
        changed = true;
      } else if (JSON.stringify(before.state) !== JSON.stringify(member.state)) {
        this.events.emit('update', member);
        changed = true;
      }
    }
    for (const gone of previous.values()) {
      this.events.emit('leave', gone, 'disconnected');
      changed = true;
    }
    if (changed) this.publishOthers();
  }

  private publishOthers(): void {
    this.othersCache = Object.freeze([...this.members.values()]);
    this.events.emit('change', this.othersCache);
  }
}
