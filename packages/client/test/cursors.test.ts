// The cursor helper in Node: a minimal stand-in for the few DOM pieces it uses (an element, the
// document, animation frames and the clock), driven by hand, frame by frame. The real page is
// tested in Chromium by examples/cursors.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Cursors, GhostError, type Cursor, type PresenceMember } from '@ghost/client';
import type { CursorsPresence } from '../src/cursors/cursors.js';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { openClient } from '../../../test/helpers/clients.js';
import { waitFor } from '../../../test/helpers/wait.js';

/** A board at (100, 50) in the viewport with a 1px border: its inside is 400 × 200 from (101, 51). */
class FakeElement extends EventTarget {
  box = { left: 100, top: 50, width: 402, height: 202 };
  clientLeft = 1;
  clientTop = 1;
  clientWidth = 400;
  clientHeight = 200;
  getBoundingClientRect() {
    return { ...this.box, right: this.box.left + this.box.width, bottom: this.box.top + this.box.height };
  }
  /** The viewport point at fractions (fx, fy) of the inside. */
  at(fx: number, fy: number) {
    return { clientX: this.box.left + 1 + fx * 400, clientY: this.box.top + 1 + fy * 200 };
  }
}

class FakeDocument extends EventTarget {
  hidden = false;
}

/** Animation frames run only when the test says so, at the time it says. */
class Frames {
  private callbacks = new Map<number, (now: number) => void>();
  private next = 1;
  now = 1000;
  request = (callback: (now: number) => void): number => {
    this.callbacks.set(this.next, callback);
    return this.next++;
  };
  cancel = (id: number): void => void this.callbacks.delete(id);
  get pending(): number {
    return this.callbacks.size;
  }
  /** Advances the clock by `ms` and runs the frame callbacks that were waiting. */
  run(ms = 16): void {
    this.now += ms;
    const due = [...this.callbacks.values()];
    this.callbacks.clear();
    for (const callback of due) callback(this.now);
  }
}

/** A presence room that records what the helper does, and lets the test play the hub. */
class FakePresence implements CursorsPresence<unknown> {
  tracked: unknown[] = [];
  untracks = 0;
  isTracked = false;
  others: readonly PresenceMember[] = [];
  listeners = new Set<(others: readonly PresenceMember[]) => void>();
  track(state: unknown): void {
    this.tracked.push(state);
    this.isTracked = true;
  }
  untrack(): void {
    this.untracks++;
    this.isTracked = false;
  }
  on(_event: 'change', listener: (others: readonly PresenceMember[]) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
  /** The hub reports a new member list. */
  set(members: PresenceMember[]): void {
    this.others = Object.freeze(members);
    for (const listener of this.listeners) listener(this.others);
  }
}

const member = (id: string, state: unknown): PresenceMember => ({ id, color: `#${id}${id}${id}`, state });
const move = (element: EventTarget, point: { clientX: number; clientY: number }) =>
  element.dispatchEvent(Object.assign(new Event('pointermove'), point));

let frames: Frames;
let doc: FakeDocument;
let board: FakeElement;
let presence: FakePresence;
const reported: unknown[] = [];

function inBrowser(): void {
  frames = new Frames();
  doc = new FakeDocument();
  board = new FakeElement();
  presence = new FakePresence();
  reported.length = 0;
  vi.stubGlobal('document', doc);
  vi.stubGlobal('requestAnimationFrame', frames.request);
  vi.stubGlobal('cancelAnimationFrame', frames.cancel);
  vi.spyOn(performance, 'now').mockImplementation(() => frames.now);
}

function cursors(options: Partial<ConstructorParameters<typeof Cursors>[1]> = {}): Cursors {
  return new Cursors(presence, { element: board as unknown as Element, ...options }, (error) => reported.push(error));
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('cursors outside a browser', () => {
  let running: RunningHub | undefined;

  it('client.cursors throws a TypeError that says it needs a browser element', async () => {
    running = await startHub();
    const client = openClient(running.url);
    expect(typeof document).toBe('undefined');
    expect(() => client.cursors('lobby', { element: {} as Element })).toThrow(TypeError);
    expect(() => client.cursors('lobby', { element: {} as Element })).toThrow(/DOM element.*client\.presence\(room\)/);
    // A bad room name is reported as such first.
    expect(() => client.cursors('', { element: {} as Element })).toThrow(GhostError);
  });

  it('throws a TypeError in a page too when the element is missing', () => {
    inBrowser();
    expect(() => new Cursors(presence, { element: undefined as unknown as Element }, () => {})).toThrow(TypeError);
    expect(() => new Cursors(presence, undefined as never, () => {})).toThrow(TypeError);
  });
});

describe('cursors: your pointer', () => {
  beforeEach(inBrowser);

  it('tracks the pointer as fractions of the element\'s inside, once per animation frame, the newest winning', () => {
    cursors();
    move(board, board.at(0.1, 0.1));
    move(board, board.at(0.2, 0.3));
    move(board, board.at(0.25, 0.75));
    expect(presence.tracked).toEqual([]); // nothing before the frame
    frames.run();
    expect(presence.tracked).toEqual([{ x: 0.25, y: 0.75 }]);
    frames.run();
    expect(presence.tracked).toHaveLength(1); // no move, no send
    move(board, board.at(0.5, 0.5));
    frames.run();
    expect(presence.tracked).toEqual([{ x: 0.25, y: 0.75 }, { x: 0.5, y: 0.5 }]);
  });

  it('clamps to 0..1 and rounds to 4 decimals', () => {
    cursors();
    move(board, { clientX: 0, clientY: 10_000 });
    frames.run();
    move(board, { clientX: 101 + 400 / 3, clientY: 51 + 200 / 7 });
    frames.run();
    expect(presence.tracked).toEqual([{ x: 0, y: 1 }, { x: 0.3333, y: 0.1429 }]);
  });

  it('reads the element\'s box at send time, so a scrolled page still agrees, and resends when the page scrolls under a still pointer', () => {
    cursors();
    board.box.top = -150; // the page scrolled down by 200px: the board's top is above the viewport
    move(board, board.at(0.5, 0.9));
    frames.run();
    expect(presence.tracked).toEqual([{ x: 0.5, y: 0.9 }]);
    // The page scrolls 20px further; the pointer stays where it is on screen.
    board.box.top -= 20;
    doc.dispatchEvent(new Event('scroll'));
    frames.run();
    expect(presence.tracked.at(-1)).toEqual({ x: 0.5, y: 1 });
    board.box.top += 40;
    doc.dispatchEvent(new Event('scroll'));
    frames.run();
    expect(presence.tracked.at(-1)).toEqual({ x: 0.5, y: 0.8 });
  });

  it('merges the extra state, read at each send', () => {
    let name = 'Ada';
    cursors({ state: () => ({ name, x: 'ignored' }) });
    move(board, board.at(0.5, 0.5));
    frames.run();
    name = 'Grace';
    move(board, board.at(0.6, 0.5));
    frames.run();
    expect(presence.tracked).toEqual([{ name: 'Ada', x: 0.5, y: 0.5 }, { name: 'Grace', x: 0.6, y: 0.5 }]);
  });

  it('hides your cursor when the pointer leaves the element, until it moves over it again', () => {
    cursors();
    move(board, board.at(0.5, 0.5));
    frames.run();
    move(board, board.at(0.9, 0.5));
    board.dispatchEvent(new Event('pointerleave'));
    frames.run();
    expect(presence.untracks).toBe(1);
    expect(presence.tracked).toHaveLength(1); // the move before leaving is not sent after it
    expect(presence.isTracked).toBe(false);
    doc.dispatchEvent(new Event('scroll'));
    frames.run();
    expect(presence.tracked).toHaveLength(1); // scrolling does not bring it back
    move(board, board.at(0.1, 0.2));
    frames.run();
    expect(presence.tracked.at(-1)).toEqual({ x: 0.1, y: 0.2 });
    expect(presence.isTracked).toBe(true);
  });

  it('hides your cursor when the tab becomes hidden, not when it becomes visible', () => {
    cursors();
    move(board, board.at(0.5, 0.5));
    frames.run();
    doc.hidden = true;
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(presence.untracks).toBe(1);
    doc.hidden = false;
    doc.dispatchEvent(new Event('visibilitychange'));
    frames.run();
    expect(presence.untracks).toBe(1);
    expect(presence.tracked).toHaveLength(1); // back only with the next move
    move(board, board.at(0.4, 0.4));
    frames.run();
    expect(presence.tracked).toHaveLength(2);
  });

  it('sends nothing for an element without size', () => {
    cursors();
    board.clientWidth = 0;
    board.box.width = 0;
    move(board, board.at(0.5, 0.5));
    frames.run();
    expect(presence.tracked).toEqual([]);
  });
});

describe('cursors: the others', () => {
  beforeEach(inBrowser);

  function changes(c: Cursors): (readonly Cursor[])[] {
    const seen: (readonly Cursor[])[] = [];
    c.on('change', (list) => seen.push(list));
    return seen;
  }

  it('reports others\' cursors on animation frames, with id, colour, user and state; skips states without x and y', () => {
    const c = cursors();
    const seen = changes(c);
    frames.run();
    expect(seen).toEqual([[]]); // the first frame draws the empty board
    presence.set([
      member('a', { x: 0.5, y: 0.25, name: 'Ada' }),
      member('b', { typing: true }),
      { ...member('c', { x: 2, y: -1 }), user: { name: 'Cy' } },
    ]);
    expect(seen).toHaveLength(1); // not before the frame
    frames.run();
    expect(seen[1]).toEqual([
      { id: 'a', color: '#aaa', x: 0.5, y: 0.25, state: { x: 0.5, y: 0.25, name: 'Ada' } },
      { id: 'c', color: '#ccc', user: { name: 'Cy' }, x: 1, y: 0, state: { x: 2, y: -1 } },
    ]);
    expect(Object.isFrozen(seen[1])).toBe(true);
    expect(c.others).toBe(seen[1]);
    // Nothing moves: no more frames, no more calls.
    expect(frames.pending).toBe(0);
  });

  it('calls at most once per frame, however many updates came', () => {
    const c = cursors({ interpolate: false });
    const seen = changes(c);
    for (let i = 0; i < 5; i++) presence.set([member('a', { x: i / 10, y: 0 })]);
    frames.run();
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toMatchObject({ x: 0.4, y: 0 });
  });

  it('smooths a moving cursor over the frames between updates, and stops at the newest position', () => {
    const c = cursors();
    const seen = changes(c);
    presence.set([member('a', { x: 0, y: 0.5 })]); // first sample: shown at once
    frames.run();
    expect(seen.at(-1)![0]).toMatchObject({ x: 0, y: 0.5 });
    // Updates at 30 Hz, frames at 60 Hz.
    const xs: number[] = [];
    for (let i = 1; i <= 6; i++) {
      frames.now += 1; // the update lands just after a frame
      presence.set([member('a', { x: i / 10, y: 0.5 })]);
      frames.run(16);
      xs.push(seen.at(-1)![0]!.x);
      frames.run(16);
      xs.push(seen.at(-1)![0]!.x);
    }
    while (frames.pending > 0) {
      frames.run(16);
      xs.push(seen.at(-1)![0]!.x);
    }
    expect(new Set(xs).size).toBeGreaterThan(6); // more positions than updates
    for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThanOrEqual(xs[i - 1]!);
    expect(xs.at(-1)).toBe(0.6);
    expect(c.others[0]).toMatchObject({ x: 0.6, y: 0.5 });
  });

  it('with interpolate: false, shows the newest position as it is', () => {
    const c = cursors({ interpolate: false });
    const seen = changes(c);
    presence.set([member('a', { x: 0, y: 0 })]);
    frames.run();
    presence.set([member('a', { x: 0.8, y: 0.2 })]);
    frames.run();
    expect(seen.at(-1)![0]).toMatchObject({ x: 0.8, y: 0.2 });
    expect(frames.pending).toBe(0);
  });

  it('reports joins and leaves; a cursor that comes back appears at once where it is', () => {
    const c = cursors();
    const seen = changes(c);
    presence.set([member('a', { x: 0.1, y: 0.1 })]);
    frames.run();
    presence.set([]);
    frames.run();
    expect(seen.at(-1)).toEqual([]);
    presence.set([member('a', { x: 0.9, y: 0.9 })]);
    frames.run();
    expect(seen.at(-1)![0]).toMatchObject({ x: 0.9, y: 0.9 });
  });

  it('others is current between frames', () => {
    const c = cursors({ interpolate: false });
    presence.set([member('a', { x: 0.3, y: 0.3 })]);
    expect(c.others).toMatchObject([{ id: 'a', x: 0.3, y: 0.3 }]);
  });

  it('reports a listener that throws, and still calls the others', () => {
    const c = cursors();
    const boom = new Error('boom');
    c.on('change', () => {
      throw boom;
    });
    const seen = changes(c);
    frames.run();
    expect(reported).toEqual([boom]);
    expect(seen).toHaveLength(1);
  });

  it('on returns its unsubscribe', () => {
    const c = cursors();
    const seen: unknown[] = [];
    const off = c.on('change', (list) => seen.push(list));
    off();
    frames.run();
    expect(seen).toEqual([]);
  });
});

describe('cursors: destroy', () => {
  beforeEach(inBrowser);

  it('untracks, stops the frames and removes every listener', () => {
    const c = cursors();
    const seen: unknown[] = [];
    c.on('change', (list) => seen.push(list));
    move(board, board.at(0.5, 0.5));
    frames.run();
    presence.set([member('a', { x: 0, y: 0 })]);
    frames.run();
    presence.set([member('a', { x: 1, y: 1 })]);
    expect(frames.pending).toBe(1);
    const calls = seen.length;

    c.destroy();
    expect(presence.untracks).toBe(1);
    expect(presence.listeners.size).toBe(0);
    expect(frames.pending).toBe(0);
    expect(c.others).toEqual([]);
    move(board, board.at(0.2, 0.2));
    doc.dispatchEvent(new Event('scroll'));
    presence.set([member('a', { x: 0.5, y: 0.5 })]);
    frames.run();
    expect(frames.pending).toBe(0);
    expect(presence.tracked).toHaveLength(1);
    expect(seen).toHaveLength(calls);
  });
});

describe('client.cursors with a real hub', () => {
  let running: RunningHub | undefined;

  it('others see your pointer with your extra state; you see theirs', async () => {
    running = await startHub({ tickMs: 5 });
    const url = running.url;
    const mine = openClient(url);
    const theirs = openClient(url);
    inBrowser();
    const c = mine.cursors('lobby', { element: board as unknown as Element, state: () => ({ name: 'Ada' }) });
    await waitFor(() => mine.status === 'open' && theirs.status === 'open');
    move(board, board.at(0.25, 0.5));
    frames.run();
    await waitFor(() => theirs.presence('lobby').others.length === 1);
    expect(theirs.presence('lobby').others[0]).toMatchObject({ id: mine.self!.id, state: { name: 'Ada', x: 0.25, y: 0.5 } });

    theirs.presence('lobby').track({ x: 0.75, y: 0.125 });
    await waitFor(() => {
      frames.run();
      return c.others.length === 1;
    });
    expect(c.others[0]).toMatchObject({ id: theirs.self!.id, color: theirs.self!.color, x: 0.75, y: 0.125 });

    c.destroy();
    await waitFor(() => theirs.presence('lobby').others.length === 0);
  });
});
