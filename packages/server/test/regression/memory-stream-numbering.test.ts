// What it guards: a stream's numbers run on across trimming, the last maxLen are kept, and reads page after a sequence (replays and chat history rest on it).
import { expect, it } from 'vitest';
import { memoryAdapter } from '@ghost/server';

it('streams number entries consecutively, keep the last maxLen, and page after a sequence', async () => {
  const store = memoryAdapter();
  await store.start({ nodeId: 'n', onError: () => undefined });
  const first = await store.append('chat:fishing', 'm1', 3);
  const at = (i: number) => first + i - 1;
  for (let i = 2; i <= 5; i++) expect(await store.append('chat:fishing', `m${i}`, 3)).toBe(at(i));
  expect(await store.range('chat:fishing', 0, 10)).toEqual({ entries: [[at(3), 'm3'], [at(4), 'm4'], [at(5), 'm5']], oldestSeq: at(3), lastSeq: at(5) });
  expect(await store.range('chat:fishing', at(3), 1)).toEqual({ entries: [[at(4), 'm4']], oldestSeq: at(3), lastSeq: at(5) });
  expect(await store.range('chat:empty', 0, 10)).toEqual({ entries: [], oldestSeq: 1, lastSeq: 0 });
});
