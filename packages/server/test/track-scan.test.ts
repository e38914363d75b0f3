import { describe, expect, it } from 'vitest';
import { decodeClientMessage } from '@ghost/protocol';
import { isTrackFrame, scanTrack as scanOnly } from '../src/track-scan.js';

/** As the router reads a frame (its UTF-8 bytes, as ws delivers it): only one that starts as a cursor move reaches the scan. */
const scanTrack = (text: string) => {
  const frame = Buffer.from(text);
  return isTrackFrame(frame) ? scanOnly(frame) : undefined;
};

const nest = (depth: number): unknown => (depth === 0 ? 1 : { a: nest(depth - 1) });
const track = (state: string, rest = '') => `{"type":"presence.track","room":"lobby","state":${state}${rest}}`;

/**
 * The one rule of the scan: when it reads a frame, the general path (JSON.parse, the schema) reads
 * the same room and ref, and a state equal to what the scan's text parses to.
 */
function expectSameReading(text: string): boolean {
  const scanned = scanTrack(text);
  if (!scanned) return false;
  const decoded = decodeClientMessage(text);
  expect(decoded.ok, text).toBe(true);
  if (!decoded.ok || decoded.message.type !== 'presence.track') throw new Error(`not a track: ${text}`);
  expect(scanned.room).toBe(decoded.message.room);
  expect(scanned.ref).toBe(decoded.message.ref);
  expect(JSON.parse(scanned.stateJson), text).toEqual(decoded.message.state);
  return true;
}

// Frames the scan must read, and what it hands on: the state's text as written.
const read: [string, string][] = [
  ['a cursor', '{"x":0.5,"y":0.25}'],
  ['long fractions', '{"x":0.35354569136933645,"y":0.6516816483006389}'],
  ['fraction zeros kept as written', '{"x":1.50,"y":-0}'],
  ['integers past 2^53, kept as written', '12345678901234567890'],
  ['null', 'null'],
  ['a string with every JSON escape', '"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"'],
  ['unicode as it is', '"héllo 😀 \u2028"'],
  ['arrays in objects in arrays', '[1,[true,false,null],{"a":[],"b":{}},"s"]'],
  ['the same key in sibling objects', '{"a":{"k":1},"b":{"k":2}}'],
  ['keys that differ only in a multi-byte character', '{"é":1,"è":2,"😀":3,"😁":4}'],
  ['16 levels deep', JSON.stringify(nest(16))],
];

// Frames it must leave to the general path, which accepts or refuses them as before.
const left: [string, string][] = [
  ['whitespace', track('{ "x": 1 }')],
  ['an exponent (1e400 is Infinity to JSON.parse)', track('{"x":1e400}')],
  ['a small number as JavaScript writes it', track('1e-7')],
  ['a repeated key in the state', track('{"x":1,"y":2,"x":3}')],
  ['a key repeated by an escape', track('{"x":1,"\\u0078":3}')],
  ['a repeated room (JSON.parse keeps the last)', '{"type":"presence.track","room":"a","state":1,"room":"b"}'],
  ['a repeated state', track('1', ',"state":2')],
  ['a repeated type', '{"type":"presence.track","type":"topic.publish","topic":"t","room":"a","state":1}'],
  ['an extra field', track('1', ',"extra":true')],
  ['17 levels deep', track(JSON.stringify(nest(17)))],
  ['65 levels deep (refused by the general path)', track(JSON.stringify(nest(65)))],
  ['no state', '{"type":"presence.track","room":"lobby"}'],
  ['an invalid room', '{"type":"presence.track","room":"a b","state":1}'],
  ['a room with a character past ASCII', '{"type":"presence.track","room":"lobbé","state":1}'],
  ['a key repeated in multi-byte characters', track('{"😀":1,"😀":2}')],
  ['the start of a cursor move alone', '{"type":"presence.track"'],
  ['shorter than a cursor move\'s start', '{"type":"presence'],
  ['an escaped room', '{"type":"presence.track","room":"a\\"b","state":1}'],
  ['a ref with a leading zero', track('1', ',"ref":07')],
  ['a fractional ref', track('1', ',"ref":1.5')],
  ['an unsafe ref', track('1', `,"ref":${2 ** 53}`)],
  ['a control character in a string', track('"a\tb"')],
  ['a bad escape', track('"a\\xb"')],
  ['a short \\u escape', track('"\\u12"')],
  ['a number with no digits after the dot', track('1.')],
  ['a leading zero', track('01')],
  ['a trailing comma', track('[1,]')],
  ['trailing text', `${track('1')} `],
  ['cut short', track('{"x":1').slice(0, -1)],
  ['type not first', '{"room":"lobby","type":"presence.track","state":1}'],
];

describe('scanTrack: reading a cursor move without parsing it', () => {
  for (const [name, state] of read) {
    it(`reads ${name}, and hands the state on as written`, () => {
      const text = track(state, ',"ref":42');
      expect(expectSameReading(text)).toBe(true);
      expect(scanTrack(text)).toEqual({ type: 'presence.track', room: 'lobby', ref: 42, stateJson: state });
    });
  }

  for (const [name, text] of left) {
    it(`leaves ${name} to the general path`, () => {
      expect(scanTrack(text)).toBeUndefined();
    });
  }

  it('reads what JSON.stringify writes of random states, as the general path does', () => {
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const value = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.3) return [random() * 1000 - 500, Math.round(random() * 1e6), 0.5, true, null, `s${random()}é"\\\n`][Math.floor(random() * 6)];
      if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, (_, k) => [`k${k}`, value(depth + 1)]));
    };
    for (let n = 0; n < 2000; n++) {
      const state = JSON.stringify(value(0));
      expect(expectSameReading(track(state)), state).toBe(true);
    }
  });

  it('never reads a damaged frame otherwise than the general path', () => {
    let seed = 11;
    const random = (n: number) => Math.floor(((seed = (seed * 48271) % 2147483647) / 2147483647) * n);
    const base = track('{"x":0.5,"y":[1,"a\\"b",{"z":null,"w":-2.25}],"u":"\\u00e9"}', ',"ref":3');
    const alphabet = '{}[]",:\\-.0123456789eEtrufalsn xyu ';
    let read = 0;
    for (let n = 0; n < 20000; n++) {
      let text = base;
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(text.length);
        const c = alphabet[random(alphabet.length)]!;
        const kind = random(3);
        text = text.slice(0, at) + (kind === 2 ? '' : c) + text.slice(kind === 0 ? at : at + 1);
      }
      if (expectSameReading(text)) read += 1;
    }
    expect(read).toBeGreaterThan(100); // the damage left some frames readable, so the rule was put to work
  });
});
