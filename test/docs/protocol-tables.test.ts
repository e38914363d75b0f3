// The reference tables of docs/protocol.md hold the code's own values: error codes (and whether a
// retry helps), close codes (and whether the client stops), the message types of both directions
// (from the zod schemas), and every hub limit and option with its default (from the hub's defaults).
// A row that is missing, left over, or wrong fails with the row's line and what the code says.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode, clientMessageSchema, closeReaction, isRetryable, serverMessageSchema } from '@ghost/protocol';
import { MAX_DEPTH } from '../../packages/protocol/src/primitives.js';
import { SHED_LINGER_MS } from '../../packages/server/src/connection.js';
import { MAX_BACKLOG_BYTES } from '../../packages/server/src/grace-backlog.js';
import { REMEMBERED_REFS } from '../../packages/server/src/remembered-results.js';
import { MAX_NAME_LENGTH as MAX_CHAT_NAME } from '../../packages/server/src/features/chat-names.js';
import { RESEND_WINDOW_MS, RESUME_HOLD_MS } from '../../packages/server/src/features/topics.js';
import { SHUTDOWN_WAIT_MS } from '../../packages/server/src/hub.js';
import { DEFAULT_CHAT, DEFAULT_LIMITS, DEFAULT_RECOVERY_HISTORY, DEFAULT_RECOVERY_TTL_MS, DEFAULT_SLOW_QUEUE, DEFAULTS } from '../../packages/server/src/options.js';
import { FLOOD_LIMIT, REFUSAL_COST } from '../../packages/server/src/router.js';
import { headings, tableAfter, type Row } from './markdown-tables.js';

const DOC = 'docs/protocol.md';
const markdown = readFileSync(fileURLToPath(new URL(`../../${DOC}`, import.meta.url)), 'utf8');
const at = (row: Row) => `${DOC}:${row.line}`;

/** Compares the rows' keys with the code's: what is missing from the doc, and what the doc has extra. */
function sameKeys(section: string, rows: Row[], keyOf: (row: Row) => string | undefined, expected: readonly string[]): string[] {
  const documented = new Map(rows.flatMap((row) => { const key = keyOf(row); return key === undefined ? [] : [[key, row] as const]; }));
  return [
    ...expected.filter((key) => !documented.has(key)).map((key) => `${section} has no row for ${key}`),
    ...[...documented].filter(([key]) => !expected.includes(key)).map(([key, row]) => `${at(row)} ${section} lists ${key}, which the code does not have`),
  ];
}

describe('docs/protocol.md §8.2: error codes', () => {
  const table = tableAfter(markdown, '### 8.2 Error codes');
  const codes = Object.values(ErrorCode);

  it('has one row per ErrorCode, and no other', () => {
    expect(sameKeys('§8.2', table.rows, (row) => row.cells[0], codes)).toEqual([]);
  });

  it('says "yes" under "Retry helps" exactly for the codes isRetryable accepts', () => {
    const column = table.header.indexOf('Retry helps');
    expect(column).toBeGreaterThan(0);
    const wrong = table.rows.flatMap((row) => {
      const code = row.cells[0] as ErrorCode;
      if (!codes.includes(code)) return [];
      const saysYes = /^yes\b/i.test(row.cells[column]!);
      return saysYes === isRetryable(code) ? [] : [`${at(row)} ${code}: "Retry helps" is "${row.cells[column]}" but isRetryable is ${isRetryable(code)}`];
    });
    expect(wrong).toEqual([]);
  });
});

describe('docs/protocol.md §8.3: close codes', () => {
  const table = tableAfter(markdown, '### 8.3 Close codes');
  const numbered = table.rows.filter((row) => /^\d+$/.test(row.cells[0]!));
  const named = Object.entries(CloseCode);

  it('has one row per CloseCode, with its name', () => {
    expect(sameKeys('§8.3', numbered.filter((row) => row.cells[1] !== '—'), (row) => `${row.cells[0]} ${row.cells[1]}`, named.map(([name, code]) => `${code} ${name}`))).toEqual([]);
  });

  it('names no code the protocol has a name for as "—"', () => {
    const unnamed = numbered.filter((row) => row.cells[1] === '—' && named.some(([, code]) => String(code) === row.cells[0]));
    expect(unnamed.map((row) => `${at(row)} ${row.cells[0]} is CloseCode.${named.find(([, code]) => String(code) === row.cells[0])![0]}`)).toEqual([]);
  });

  it('says "stop" in the client reaction exactly where closeReaction stops', () => {
    const column = table.header.indexOf('Reference client reaction');
    expect(column).toBeGreaterThan(0);
    const wrong = numbered.flatMap((row) => {
      const reaction = closeReaction(Number(row.cells[0]));
      const saysStop = /^stop\b/.test(row.cells[column]!);
      return saysStop === (reaction === 'stop') ? [] : [`${at(row)} ${row.cells[0]}: the doc says "${row.cells[column]}" but closeReaction is '${reaction}'`];
    });
    expect(wrong).toEqual([]);
  });
});

/** The `type` literals of a discriminated union of message schemas. */
function typesOf(schema: typeof clientMessageSchema | typeof serverMessageSchema): string[] {
  return schema.options.map((option) => String(option.shape.type.value));
}

describe('docs/protocol.md §6: message types', () => {
  const sections = headings(markdown);
  it.each([
    ['§6.1', '### 6.1 Client → hub', typesOf(clientMessageSchema)],
    ['§6.2', '### 6.2 Hub → client', typesOf(serverMessageSchema)],
  ] as const)('%s lists every message type of the schema, each with a section of its own', (section, heading, types) => {
    const table = tableAfter(markdown, heading);
    const problems = sameKeys(section, table.rows, (row) => row.cells[0], types);
    for (const type of types) if (!sections.some((h) => h.startsWith(`\`${type}\``))) problems.push(`${DOC} has no "#### \`${type}\`" section`);
    expect(problems).toEqual([]);
  });
});

/**
 * The default a cell of the limits table states, as a number: the first figure, with its digit groups
 * (`65 536`) and a unit (`1 MiB`); `undefined` for a cell that starts with something else.
 */
function numberIn(cell: string): number | undefined {
  const match = /^(\d[\d\s,]*)(?:\s*(KiB|MiB))?(?:\s|\(|$)/.exec(cell);
  if (!match) return undefined;
  const value = Number(match[1]!.replace(/[\s,]/g, ''));
  return match[2] === 'MiB' ? value * 1024 * 1024 : match[2] === 'KiB' ? value * 1024 : value;
}

describe('docs/protocol.md §8.4: hub limits and defaults', () => {
  const table = tableAfter(markdown, '### 8.4 Limits and defaults');
  // Every row of the table and the value the code has for it: a number, or the text the cell starts
  // with. A setting added to the code needs a row (and an entry here), and a row needs an entry.
  const expected: Record<string, number | string> = {
    ...Object.fromEntries(Object.entries(DEFAULT_LIMITS).map(([key, value]) => [`limits.${key}`, value])),
    // Follows the heap the process was given, so the table states the rule (the hub API test holds the code to it).
    'limits.maxHubBufferedBytes': '¼ of the V8 heap limit',
    ...DEFAULTS,
    ...Object.fromEntries(Object.entries(DEFAULT_CHAT).map(([key, value]) => [`chat.${key}`, value])),
    'chat.names': `'${DEFAULT_CHAT.names}'`,
    'recovery.historySize': DEFAULT_RECOVERY_HISTORY,
    'recovery.ttlMs': DEFAULT_RECOVERY_TTL_MS,
    'slowTopics.maxQueued': DEFAULT_SLOW_QUEUE,
    'slowTopics.policy': "'drop-oldest' on recoverable topics, 'disconnect' on others",
    presenceKey: "'connection'",
    nodeId: 'random',
    'flood limit (fixed)': FLOOD_LIMIT,
    'refused frame cost (fixed)': REFUSAL_COST,
    'nesting depth of app data (fixed)': MAX_DEPTH,
    'chat name length (fixed)': MAX_CHAT_NAME,
    'remembered refs (fixed)': REMEMBERED_REFS,
    'grace backlog (fixed)': MAX_BACKLOG_BYTES,
    'resume hold (fixed)': RESUME_HOLD_MS,
    'resend window (fixed)': RESEND_WINDOW_MS,
    'shutdown (fixed)': SHUTDOWN_WAIT_MS,
    'shed linger (fixed)': SHED_LINGER_MS,
    'endpoint path': '/ghost',
  };

  it('has a row for every setting, and no other', () => {
    expect(sameKeys('§8.4', table.rows, (row) => row.cells[0], Object.keys(expected))).toEqual([]);
  });

  it('states the default the code has for each', () => {
    const column = table.header.indexOf('Default');
    expect(column).toBeGreaterThan(0);
    const wrong = table.rows.flatMap((row) => {
      const key = row.cells[0]!;
      if (!(key in expected)) return [];
      const cell = row.cells[column]!;
      const value = expected[key]!;
      const ok = typeof value === 'number' ? numberIn(cell) === value : cell.startsWith(value);
      return ok ? [] : [`${at(row)} ${key}: the doc says "${cell}", the code ${JSON.stringify(value)}`];
    });
    expect(wrong).toEqual([]);
  });
});
