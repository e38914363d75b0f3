// What a node remembers about other nodes' interest, on its own: bounded, and forgetting what no
// longer matters.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Farewells, MissedRooms, RoomInterest } from '../src/features/presence-interest.js';

describe('MissedRooms', () => {
  it('gives back, once, the rooms a node shared when it went down and those announced while it was gone', () => {
    const missed = new MissedRooms();
    missed.down('b', ['lobby', 'hall']);
    missed.announced('garden');
    missed.forget('hall');
    expect([...missed.up('b')!].sort()).toEqual(['garden', 'lobby']);
    expect(missed.up('b')).toBeUndefined();
    expect(missed.up('never-seen')).toBeUndefined();
  });

  it('keeps only the nodes that went down last', () => {
    const missed = new MissedRooms(2);
    for (const node of ['a', 'b', 'c']) missed.down(node, ['lobby']);
    expect(missed.up('a')).toBeUndefined();
    expect(missed.up('b')).toEqual(new Set(['lobby']));
    expect(missed.up('c')).toEqual(new Set(['lobby']));
  });
});

describe('Farewells', () => {
  afterEach(() => void vi.useRealTimers());

  it('repeats a goodbye only while it is recent, and not for a room watched again', () => {
    vi.useFakeTimers();
    const farewells = new Farewells(1000);
    farewells.said('old');
    vi.advanceTimersByTime(600);
    farewells.said('lobby');
    farewells.said('hall');
    farewells.cancel('hall');
    expect(farewells.recent()).toEqual(['old', 'lobby']);
    vi.advanceTimersByTime(600);
    expect(farewells.recent()).toEqual(['lobby']);
  });
});

describe('RoomInterest', () => {
  it('starts with no other node watching and nothing announced', () => {
    const interest = new RoomInterest();
    expect([interest.peers.size, interest.linked, interest.watching]).toEqual([0, false, false]);
  });
});
