import { isValidName } from '@ghost/protocol';

/** A `presence.track` read straight from its bytes, its state decoded from the span that holds it. */
export interface ScannedTrack {
  type: 'presence.track';
  room: string;
  ref: number | undefined;
  /** The state's JSON as the client wrote it: compact, no exponent, no object key twice. */
  stateJson: string;
}


/** Deeper states are left to the general path, whose depth rule (MAX_DEPTH) words the refusal. */
const SCAN_DEPTH = 16;
/** Objects with more keys are left to the general path: the repeated-key check compares each pair. */
const SCAN_KEYS = 32;

/** How a cursor move starts as every client writes it: the router tells one by this (isTrackFrame), before any parsing. */
const PREFIX = Buffer.from('{"type":"presence.track"');
const ROOM_KEY = Buffer.from('"room":"');
const STATE_KEY = Buffer.from('"state":');
const REF_KEY = Buffer.from('"ref":');
const TRUE = Buffer.from('true'), FALSE = Buffer.from('false'), NULL = Buffer.from('null');

// Byte values (UTF-8: every byte of a multi-byte character is ≥ 0x80, so none is mistaken for these).
const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a, MINUS = 0x2d, DOT = 0x2e, ZERO = 0x30;
const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;

/** Whether a text frame starts as a cursor move: checked on its bytes, before it is decoded. */
export function isTrackFrame(frame: Buffer): boolean {
  return matches(frame, 0, PREFIX);
}

/**
 * Reads a cursor move without parsing it. The hub relays a state as JSON text and never looks
 * inside it, so instead of `JSON.parse` and `JSON.stringify` (the whole state built and written once
 * more per move: the hub allocated ≈ 1.25× the coalesced limit's bytes under cursors with them, ≈ 0.95×
 * without) the frame's bytes are walked once, checked, and the state's span decoded as it was written.
 * Bytes, not the frame's text: the frame is never decoded whole, and indexing bytes stays fast where
 * string scanning is not (in a process that loaded ioredis 6, V8 of Node 20 stops inlining
 * `charCodeAt`, `startsWith` and `slice`: 3–7× slower; see docs/benchmarks.md).
 *
 * Read here only when the answer cannot differ from the general path's (`decodeClientMessage`): the
 * frame (valid UTF-8, as ws delivers every text frame, and seen by {@link isTrackFrame}) is
 * `{"type":"presence.track",…}` with `room`, `state` and an optional `ref`, each once and nothing
 * else, and the state is compact JSON (no whitespace) without exponents (which a parser may turn into
 * Infinity), at most {@link SCAN_DEPTH} deep, no object with a key twice (`JSON.parse` keeps the last,
 * other parsers may not: watchers in any language must read the same state) or with an escaped key.
 * What `JSON.stringify` writes is, bar numbers below 1e-6 or from 1e21. Anything else returns
 * undefined and takes the general path, which accepts or refuses it as before.
 */
export function scanTrack(frame: Buffer): ScannedTrack | undefined {
  let room: string | undefined;
  let ref: number | undefined;
  let stateJson: string | undefined;
  let i = PREFIX.length;
  while (frame[i] === COMMA) {
    i += 1;
    if (matches(frame, i, ROOM_KEY)) {
      if (room !== undefined) return undefined;
      const start = i + ROOM_KEY.length;
      let end = start;
      while (end < frame.length && frame[end] !== QUOTE) end += 1;
      if (end === frame.length) return undefined;
      // A valid name is ASCII: any other byte decodes to a character the name rule refuses.
      room = frame.toString('latin1', start, end);
      if (!isValidName(room)) return undefined;
      i = end + 1;
    } else if (matches(frame, i, STATE_KEY)) {
      if (stateJson !== undefined) return undefined;
      const start = i + STATE_KEY.length;
      const end = scanValue(frame, start, 0);
      if (end < 0) return undefined;
      stateJson = frame.toString('utf8', start, end);
      i = end;
    } else if (matches(frame, i, REF_KEY)) {
      if (ref !== undefined) return undefined;
      const start = i + REF_KEY.length;
      let end = start;
      ref = 0;
      while (end - start < 16 && isDigit(frame[end]!)) ref = ref * 10 + frame[end++]! - ZERO;
      if (end === start || (frame[start] === ZERO && end > start + 1)) return undefined;
      if (!Number.isSafeInteger(ref)) return undefined;
      i = end;
    } else return undefined;
  }
  if (room === undefined || stateJson === undefined) return undefined;
  if (frame[i] !== CLOSE_BRACE || i + 1 !== frame.length) return undefined;
  return { type: 'presence.track', room, ref, stateJson };
}

// The keys of the objects being scanned, as spans of the frame: a stack, each object's keys above its
// parent's (scanObject pops its own on the way out, so it is empty between calls). Kept between calls
// so that a move allocates nothing for them.
const keyStarts: number[] = [];
const keyEnds: number[] = [];
let keyCount = 0;

/** The end of the JSON value at `i`, or -1 when it is none or not one this scan reads. */
function scanValue(frame: Buffer, i: number, depth: number): number {
  const c = frame[i];
  if (c === QUOTE) return scanString(frame, i, true);
  if (c === MINUS || isDigit(c!)) return scanNumber(frame, i);
  if (c === OPEN_BRACE) return depth < SCAN_DEPTH ? scanObject(frame, i, depth) : -1;
  if (c === OPEN_BRACKET) {
    if (depth >= SCAN_DEPTH) return -1;
    i += 1;
    if (frame[i] === CLOSE_BRACKET) return i + 1;
    for (;;) {
      i = scanValue(frame, i, depth + 1);
      if (i < 0) return -1;
      const next = frame[i];
      if (next === CLOSE_BRACKET) return i + 1;
      if (next !== COMMA) return -1;
      i += 1;
    }
  }
  if (matches(frame, i, TRUE) || matches(frame, i, NULL)) return i + 4;
  if (matches(frame, i, FALSE)) return i + 5;
  return -1;
}

function scanObject(frame: Buffer, i: number, depth: number): number {
  i += 1;
  if (frame[i] === CLOSE_BRACE) return i + 1;
  const base = keyCount;
  try {
    for (;;) {
      if (frame[i] !== QUOTE) return -1;
      const keyEnd = scanString(frame, i, false);
      if (keyEnd < 0 || frame[keyEnd] !== COLON || keyCount - base >= SCAN_KEYS) return -1;
      for (let k = base; k < keyCount; k++) if (sameSpan(frame, keyStarts[k]!, keyEnds[k]!, i, keyEnd)) return -1;
      keyStarts[keyCount] = i;
      keyEnds[keyCount] = keyEnd;
      keyCount += 1;
      i = scanValue(frame, keyEnd + 1, depth + 1);
      if (i < 0) return -1;
      const next = frame[i];
      if (next === CLOSE_BRACE) return i + 1;
      if (next !== COMMA) return -1;
      i += 1;
    }
  } finally {
    keyCount = base;
  }
}

/** Whether two keys are the same: unescaped UTF-8 spans are equal as text exactly when equal as bytes. */
function sameSpan(frame: Buffer, a: number, aEnd: number, b: number, bEnd: number): boolean {
  if (aEnd - a !== bEnd - b) return false;
  for (let k = 1; k < aEnd - a - 1; k++) if (frame[a + k] !== frame[b + k]) return false;
  return true;
}

/** The end of the string at `i`: JSON's escapes, no control characters; none at all in a key (`escapes` false). */
function scanString(frame: Buffer, i: number, escapes: boolean): number {
  for (i += 1; i < frame.length; i++) {
    const c = frame[i]!;
    if (c === QUOTE) return i + 1;
    if (c < 0x20) return -1;
    if (c !== BACKSLASH) continue;
    if (!escapes) return -1;
    const e = frame[++i];
    if (e === 0x75) {
      // \uXXXX
      for (let k = 1; k <= 4; k++) if (!isHex(frame[i + k]!)) return -1;
      i += 4;
    } else if (e !== QUOTE && e !== BACKSLASH && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) return -1;
  }
  return -1;
}

/** The end of the number at `i`: JSON's grammar without the exponent. */
function scanNumber(frame: Buffer, i: number): number {
  if (frame[i] === MINUS) i += 1;
  if (frame[i] === ZERO) i += 1;
  else if (isDigit(frame[i]!)) while (isDigit(frame[i]!)) i += 1;
  else return -1;
  if (frame[i] === DOT) {
    const fraction = ++i;
    while (isDigit(frame[i]!)) i += 1;
    if (i === fraction) return -1;
  }
  const c = frame[i];
  return c === 0x65 || c === 0x45 ? -1 : i;
}

/** Whether `literal`'s bytes are at `i`. */
function matches(frame: Buffer, i: number, literal: Buffer): boolean {
  if (i + literal.length > frame.length) return false;
  for (let k = 0; k < literal.length; k++) if (frame[i + k] !== literal[k]) return false;
  return true;
}

// Past the end a byte reads as undefined, which no comparison below admits.
function isDigit(c: number): boolean {
  return c >= ZERO && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}
