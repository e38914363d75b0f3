import { describe, expect, it } from 'vitest';
import { SendBudget, SILENCE_STEP_MS, type BudgetedReader } from '../src/send-budget.js';

/** A reader as the budget sees it: what waits for it, since when it is silent, what it proved, when it spoke. */
function reader(name: string, fields: { waiting: number; silentMs: number; provenShare: number; spokeMsAgo: number }, shed: string[]) {
  const now = Date.now();
  const r: { -readonly [K in keyof BudgetedReader]: BudgetedReader[K] } & { name: string } = {
    name,
    waitingBytes: fields.waiting,
    accounted: 0,
    progressAt: now - fields.silentMs,
    provenShare: fields.provenShare,
    lastSeen: now - fields.spokeMsAgo,
    get isOpen() {
      return !shed.includes(name);
    },
    flushOutbox: () => false,
    shed() {
      shed.push(name);
      r.waitingBytes = 0;
    },
  };
  return r;
}

describe('the hub send budget, once over', () => {
  it('sheds the readers that only joined before a sender that spoke just before the hub stalled, though both are silent since the same ping and proved nothing', () => {
    const shed: string[] = [];
    // The flood's first frames went to everyone at once; the hub then stalled, so nobody's pong was read yet.
    const silentMs = 2 * SILENCE_STEP_MS + 10;
    const sender = reader('sender', { waiting: 300, silentMs, provenShare: 0, spokeMsAgo: silentMs }, shed);
    const readers = ['r1', 'r2', 'r3'].map((name) => reader(name, { waiting: 300, silentMs, provenShare: 0, spokeMsAgo: 3000 }, shed));
    const all = [sender, ...readers];
    const budget = new SendBudget(1000, 100, () => all, 50, () => {});
    for (const r of all) budget.note(r);
    expect(shed).toEqual(expect.arrayContaining(['r1', 'r2']));
    expect(shed).not.toContain('sender');
    expect(budget.total).toBeLessThanOrEqual(750);
  });

  it('still sheds the longest silent first, whoever spoke last', () => {
    const shed: string[] = [];
    const talker = reader('talker', { waiting: 600, silentMs: 4 * SILENCE_STEP_MS, provenShare: 0.5, spokeMsAgo: 0 }, shed);
    const reading = reader('reading', { waiting: 600, silentMs: SILENCE_STEP_MS + 10, provenShare: 0, spokeMsAgo: 5000 }, shed);
    const budget = new SendBudget(1000, 100, () => [talker, reading], 50, () => {});
    budget.note(talker);
    budget.note(reading);
    expect(shed).toEqual(['talker']);
  });
});
