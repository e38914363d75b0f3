// Live cursors over one element, on top of a presence room: sends your pointer as fractions of the
// element, and hands back everyone else's, smoothed. It computes positions; drawing is the app's.
import type { PresenceHandle, PresenceMember } from '../handles/presence.js';
import { PointInterpolator, type Point } from './interpolate.js';

/** Another member's cursor. */
export interface Cursor<T = unknown> {
  /** Their member id: their connection id, or their user id when the hub keys presence by user. */
  readonly id: string;
  /** A CSS colour assigned by the hub. */
  readonly color: string;
  /** Their user, when the hub authenticates. */
  readonly user?: unknown;
  /** 0 (left edge of the element) to 1 (right edge); smoothed when `interpolate` is on. */
  readonly x: number;
  /** 0 (top edge of the element) to 1 (bottom edge); smoothed when `interpolate` is on. */
  readonly y: number;
  /** The state they last tracked, extra fields included (its `x` and `y` are the newest, unsmoothed). */
  readonly state: T;
}

/** The fields your cursor's state carries besides `x` and `y`. */
export type CursorExtra<T> = unknown extends T ? Record<string, unknown> : Omit<T, 'x' | 'y'>;

/** Options of `client.cursors(room, options)`. */
export interface CursorsOptions<T = unknown> {
  /**
   * The element the pointer moves over. Positions are fractions (0..1) of its inner box (inside the
   * border, where absolutely positioned children go), so windows of any size agree: draw a cursor at
   * `left: x * element.clientWidth`, `top: y * element.clientHeight`.
   */
  element: Element;
  /** Smooth others' positions between updates, at the display's frame rate. @default true */
  interpolate?: boolean;
  /** Extra fields for your state (a name, say), read at each send; `x` and `y` are added to them. */
  state?: () => CursorExtra<T>;
}

/** Events of {@link Cursors}; `on` returns the function that stops listening. */
export interface CursorsEvents<T> {
  /**
   * Others' cursors changed: someone came, left or moved. Called on an animation frame, at most once
   * per frame (so not while the tab is hidden), with a new frozen array.
   */
  change: (cursors: readonly Cursor<T>[]) => void;
}

/** What cursors need of a presence room: a {@link PresenceHandle} fits. */
export interface CursorsPresence<T> {
  readonly others: readonly PresenceMember<T>[];
  track(state: T): void;
  untrack(): void;
  on(event: 'change', listener: (others: readonly PresenceMember<T>[]) => void): () => void;
}

interface Entry<T> {
  member: PresenceMember<T>;
  point: Point;
  path?: PointInterpolator;
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * Live cursors over one element in a presence room. Get one with `client.cursors(room, options)`;
 * one per room and element.
 */
export class Cursors<T = unknown> {
  private readonly listeners = new Set<CursorsEvents<T>['change']>();
  private entries = new Map<string, Entry<T>>();
  private list: readonly Cursor<T>[] = NONE;
  private readonly stops: (() => void)[] = [];
  private readonly interpolate: boolean;
  // The pointer's last place over the element (viewport coordinates), while it is there.
  private pointer: { clientX: number; clientY: number } | undefined;
  private unsent = false;
  private changed = false;
  private moving = false;
  private frame = 0;

  /** @internal Use `client.cursors(room, options)`. */
  constructor(
    private readonly presence: CursorsPresence<T>,
    private readonly options: CursorsOptions<T>,
    private readonly report: (error: unknown) => void,
  ) {
    const element = options?.element;
    if (typeof document === 'undefined' || typeof requestAnimationFrame !== 'function' || typeof element?.getBoundingClientRect !== 'function') {
      throw new TypeError(
        'client.cursors(room, { element }): pass a DOM element of a browser page; outside a browser use client.presence(room) instead',
      );
    }
    this.interpolate = options.interpolate ?? true;
    const listen = (target: EventTarget, type: string, listener: (event: Event) => void, capture = false) => {
      target.addEventListener(type, listener, { capture, passive: true });
      this.stops.push(() => target.removeEventListener(type, listener, { capture }));
    };
    listen(element, 'pointermove', (event) => {
      this.pointer = event as PointerEvent;
      this.send();
    });
    // The page scrolled under a still pointer: it is somewhere else on the element now.
    listen(document, 'scroll', () => this.pointer && this.send(), true);
    listen(element, 'pointerleave', () => this.hide());
    listen(document, 'visibilitychange', () => document.hidden && this.hide());
    this.stops.push(presence.on('change', (others) => this.sync(others)));
    this.sync(presence.others);
  }

  /** Others' cursors now, in join order, never yours. Members whose state has no `x` and `y` are left out. */
  get others(): readonly Cursor<T>[] {
    return this.changed || this.moving ? this.compute(performance.now())[0] : this.list;
  }

  /**
   * Listens to cursor events; returns the function that stops listening.
   * @example cursors.on('change', (list) => draw(list));
   */
  on<E extends keyof CursorsEvents<T>>(event: E, listener: CursorsEvents<T>[E]): () => void {
    if (event === 'change') this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Stops following the pointer and the room: hides your cursor from others and removes every listener. */
  destroy(): void {
    for (const stop of this.stops.splice(0)) stop();
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.hide();
    this.listeners.clear();
    this.entries.clear();
    this.list = NONE;
    this.changed = this.moving = false;
  }

  private send(): void {
    this.unsent = true;
    this.schedule();
  }

  private hide(): void {
    this.pointer = undefined;
    this.unsent = false;
    this.presence.untrack();
  }

  private sync(others: readonly PresenceMember<T>[]): void {
    const now = performance.now();
    const entries = new Map<string, Entry<T>>();
    for (const member of others) {
      const point = toPoint(member.state);
      if (!point) continue;
      let entry = this.entries.get(member.id);
      if (!entry) entry = { member, point, path: this.interpolate ? new PointInterpolator() : undefined };
      else if (entry.member === member) {
        entries.set(member.id, entry);
        continue;
      }
      entry.member = member;
      entry.point = point;
      entry.path?.push(now, point);
      entries.set(member.id, entry);
    }
    this.entries = entries;
    this.changed = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.stops.length > 0) this.frame ||= requestAnimationFrame((now) => this.tick(now));
  }

  private tick(now: number): void {
    this.frame = 0;
    const pointer = this.pointer;
    if (this.unsent && pointer) {
      this.unsent = false;
      const element = this.options.element;
      const box = element.getBoundingClientRect();
      // The inner box: where absolutely positioned children are drawn. SVG elements have no client size.
      const width = element.clientWidth || box.width;
      const height = element.clientHeight || box.height;
      if (width > 0 && height > 0) {
        const extra = this.options.state?.();
        this.presence.track({
          ...extra,
          x: round(clamp01((pointer.clientX - box.left - element.clientLeft) / width)),
          y: round(clamp01((pointer.clientY - box.top - element.clientTop) / height)),
        } as T);
      }
    }
    if (!this.changed && !this.moving) return;
    this.changed = false;
    const [list, moving] = this.compute(now);
    this.list = list;
    this.moving = moving;
    for (const listener of [...this.listeners]) {
      try {
        listener(list);
      } catch (error) {
        this.report(error);
      }
    }
    if (this.moving) this.schedule();
  }

  /** Others' cursors at time `now`, and whether any of them is still on its way. */
  private compute(now: number): [readonly Cursor<T>[], boolean] {
    const list: Cursor<T>[] = [];
    let moving = false;
    for (const { member, point, path } of this.entries.values()) {
      const { x, y } = path?.at(now) ?? point;
      if (path && path.restsAt > now) moving = true;
      list.push({ ...member, x, y });
    }
    return [Object.freeze(list), moving];
  }
}

/** Reads a point out of another member's state: finite numbers, clamped to 0..1, or nothing. */
function toPoint(state: unknown): Point | undefined {
  const { x, y } = (state ?? {}) as Record<string, unknown>;
  return typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y) ? { x: clamp01(x), y: clamp01(y) } : undefined;
}

function clamp01(n: number): number {
  return n < 0 ? 0 : n > 1 ? 1 : n;
}

// 4 decimals: under half a pixel on any screen, and a short frame.
function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
