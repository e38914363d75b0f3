import { ErrorCode, GhostError } from '@ghost/protocol';
import type { ChatNameRule } from '../options.js';

/** Longest chat display name, in UTF-16 code units after trimming. */
export const MAX_NAME_LENGTH = 32;

// Refused in any name: control and format characters (bidi overrides, zero-width joiners), line and
// paragraph separators, Unicode's Default_Ignorable_Code_Point set (fillers such as U+3164 and U+FFA0,
// variation selectors, U+034F) and the blank Braille pattern U+2800: each renders as nothing, or as a
// blank, so a name with one looks the same as the name without it.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/u;
const LETTER = /\p{L}/u;
const EAST_ASIAN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u;
const SCRIPTS: readonly [string, RegExp][] = [
  'Latin', 'Greek', 'Cyrillic', 'Armenian', 'Hebrew', 'Arabic', 'Syriac', 'Thaana', 'Devanagari', 'Bengali', 'Gurmukhi',
  'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Thai', 'Lao', 'Tibetan', 'Myanmar', 'Georgian',
  'Ethiopic', 'Cherokee', 'Khmer', 'Mongolian',
].map((script) => [script, new RegExp(`\\p{Script=${script}}`, 'u')]);

function scriptOf(char: string): string {
  if (EAST_ASIAN.test(char)) return 'East Asian';
  for (const [script, pattern] of SCRIPTS) if (pattern.test(char)) return script;
  return 'other';
}

/** The scripts of a name's letters (marks, digits and punctuation belong to none). */
function scriptsOf(name: string): Set<string> {
  const scripts = new Set<string>();
  for (const char of name) if (LETTER.test(char)) scripts.add(scriptOf(char));
  // Latin is written together with the East Asian scripts.
  if (scripts.has('East Asian')) scripts.delete('Latin');
  return scripts;
}

/**
 * The name a client asked for, trimmed, or a coded error saying why it is refused (`INVALID_PAYLOAD`):
 * empty or too long, with an invisible character, or (`'single-script'`) mixing scripts.
 */
export function checkChatName(rawName: string, rule: ChatNameRule): string {
  const name = rawName.trim();
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || INVISIBLE.test(name)) {
    throw new GhostError(ErrorCode.INVALID_PAYLOAD, `A chat name is 1 to ${MAX_NAME_LENGTH} characters, without control or invisible characters`);
  }
  if (rule === 'single-script' && scriptsOf(name).size > 1) {
    throw new GhostError(ErrorCode.INVALID_PAYLOAD, `A chat name here is written in one script; ${JSON.stringify(name)} mixes ${[...scriptsOf(name)].join(' and ')}`);
  }
  return name;
}

/**
 * What two names that render alike have in common: the compatibility form (`ＡＤＡ` is `ADA`), lower
 * case, and runs of spaces as one (`A  da` is `a da`). Two names with one key are one name.
 */
export function chatNameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ');
}
