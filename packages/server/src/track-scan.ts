import { isValidName } from '@ghost/protocol';

/** A `presence.track` read straight from its text, its state the span of the frame that holds it. */
export interface ScannedTrack {
  type: 'presence.track';
  room: string;
  ref: number | undefined;
  /** The state's JSON as the client wrote it: compact, no exponent, no object key twice. */
  stateJson: string;
}

/** How a cursor move starts as every client writes it: the router tells one by this, before any parsing. */
export const TRACK_PREFIX = '{"type":"presence.track"';
/** Deeper states are left to the general path, whose depth rule (MAX_DEPTH) words the refusal. */
const SCAN_DEPTH = 16;
/** Objects with more keys are left to the general path: the repeated-key check compares each pair. */
const SCAN_KEYS = 32;

// Char codes.
const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a, MINUS = 0x2d, DOT = 0x2e, ZERO = 0x30;
const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;

/**
 * Reads a cursor move without parsing it. The hub relays a state as JSON text and never looks
 * inside it, so instead of `JSON.parse` and `JSON.stringify` (the whole state built and written once
 * more per move: the hub allocated ≈ 1.25× the coalesced limit's bytes under cursors with them, ≈ 0.95×
 * without) the frame is walked once, checked, and the state's span handed on as it was written.
 *
 * Read here only when the answer cannot differ from the general path's (`decodeClientMessage`): the
 * frame (which the caller has seen start with {@link TRACK_PREFIX}) is `{"type":"presence.track",…}` with `room`, `state` and an optional `ref`, each once and
 * nothing else, and the state is compact JSON (no whitespace) without exponents (which a parser may
 * turn into Infinity), at most {@link SCAN_DEPTH} deep, no object with a key twice (`JSON.parse`
 * keeps the last, other parsers may not: watchers in any language must read the same state) or with an
 * escaped key. What `JSON.stringify` writes is, bar numbers below 1e-6 or from 1e21. Anything else returns
 * undefined and takes the general path, which accepts or refuses it as before.
 */
export function scanTrack(text: string): ScannedTrack | undefined {
  let room: string | undefined;
  let ref: number | undefined;
  let stateJson: string | undefined;
  let i = TRACK_PREFIX.length;
  while (text.charCodeAt(i) === COMMA) {
    i += 1;
    if (text.startsWith('"room":"', i)) {
      if (room !== undefined) return undefined;
      const start = i + 8;
      const end = text.indexOf('"', start);
      if (end < 0) return undefined;
      room = text.slice(start, end); // a valid name has no quote and no backslash
      if (!isValidName(room)) return undefined;
      i = end + 1;
    } else if (text.startsWith('"state":', i)) {
      if (stateJson !== undefined) return undefined;
      const start = i + 8;
      const end = scanValue(text, start, 0);
      if (end < 0) return undefined;
      stateJson = text.slice(start, end);
      i = end;
    } else if (text.startsWith('"ref":', i)) {
      if (ref !== undefined) return undefined;
      const start = i + 6;
      let end = start;
      while (end - start < 16 && isDigit(text.charCodeAt(end))) end += 1;
      if (end === start || (text.charCodeAt(start) === ZERO && end > start + 1)) return undefined;
      ref = Number(text.slice(start, end));
      if (!Number.isSafeInteger(ref)) return undefined;
      i = end;
    } else return undefined;
  }
  if (room === undefined || stateJson === undefined) return undefined;
  if (text.charCodeAt(i) !== CLOSE_BRACE || i + 1 !== text.length) return undefined;
  return { type: 'presence.track', room, ref, stateJson };
}

// The keys of the objects being scanned, as spans of the text: a stack, each object's keys above its
// parent's (scanObject pops its own on the way out, so it is empty between calls). Kept between calls
// so that a move allocates nothing for them.
const keyStarts: number[] = [];
const keyEnds: number[] = [];
let keyCount = 0;

/** The end of the JSON value at `i`, or -1 when it is none or not one this scan reads. */
function scanValue(text: string, i: number, depth: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return scanString(text, i, true);
  if (c === MINUS || isDigit(c)) return scanNumber(text, i);
  if (c === OPEN_BRACE) return depth < SCAN_DEPTH ? scanObject(text, i, depth) : -1;
  if (c === OPEN_BRACKET) {
    if (depth >= SCAN_DEPTH) return -1;
    i += 1;
    if (text.charCodeAt(i) === CLOSE_BRACKET) return i + 1;
    for (;;) {
      i = scanValue(text, i, depth + 1);
      if (i < 0) return -1;
      const next = text.charCodeAt(i);
      if (next === CLOSE_BRACKET) return i + 1;
      if (next !== COMMA) return -1;
      i += 1;
    }
  }
  if (text.startsWith('true', i) || text.startsWith('null', i)) return i + 4;
  if (text.startsWith('false', i)) return i + 5;
  return -1;
}

function scanObject(text: string, i: number, depth: number): number {
  i += 1;
  if (text.charCodeAt(i) === CLOSE_BRACE) return i + 1;
  const base = keyCount;
  try {
    for (;;) {
      if (text.charCodeAt(i) !== QUOTE) return -1;
      const keyEnd = scanString(text, i, false);
      if (keyEnd < 0 || text.charCodeAt(keyEnd) !== COLON || keyCount - base >= SCAN_KEYS) return -1;
      for (let k = base; k < keyCount; k++) if (sameSpan(text, keyStarts[k]!, keyEnds[k]!, i, keyEnd)) return -1;
      keyStarts[keyCount] = i;
      keyEnds[keyCount] = keyEnd;
      keyCount += 1;
      i = scanValue(text, keyEnd + 1, depth + 1);
      if (i < 0) return -1;
      const next = text.charCodeAt(i);
      if (next === CLOSE_BRACE) return i + 1;
      if (next !== COMMA) return -1;
      i += 1;
    }
  } finally {
    keyCount = base;
  }
}

function sameSpan(text: string, a: number, aEnd: number, b: number, bEnd: number): boolean {
  if (aEnd - a !== bEnd - b) return false;
  for (let k = 1; k < aEnd - a - 1; k++) if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  return true;
}

/** The end of the string at `i`: JSON's escapes, no control characters; none at all in a key (`escapes` false). */
function scanString(text: string, i: number, escapes: boolean): number {
  for (i += 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c < 0x20) return -1;
    if (c !== BACKSLASH) continue;
    if (!escapes) return -1;
    const e = text.charCodeAt(++i);
    if (e === 0x75) {
      // \uXXXX
      for (let k = 1; k <= 4; k++) if (!isHex(text.charCodeAt(i + k))) return -1;
      i += 4;
    } else if (e !== QUOTE && e !== BACKSLASH && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) return -1;
  }
  return -1;
}

/** The end of the number at `i`: JSON's grammar without the exponent. */
function scanNumber(text: string, i: number): number {
  if (text.charCodeAt(i) === MINUS) i += 1;
  if (text.charCodeAt(i) === ZERO) i += 1;
  else if (isDigit(text.charCodeAt(i))) while (isDigit(text.charCodeAt(i))) i += 1;
  else return -1;
  if (text.charCodeAt(i) === DOT) {
    const fraction = ++i;
    while (isDigit(text.charCodeAt(i))) i += 1;
    if (i === fraction) return -1;
  }
  const c = text.charCodeAt(i);
  return c === 0x65 || c === 0x45 ? -1 : i;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}
