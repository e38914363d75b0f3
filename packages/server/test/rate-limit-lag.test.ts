// The rate limit judges the client's sending, not the hub's lateness: frames a client sent at an
// honest pace while the hub's event loop was stuck arrive together, and must not be refused for it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { collectLines } from '../../../test/helpers/lines.js';
import { waitFor } from '../../../test/helpers/wait.js';

const SENDER = fileURLToPath(new URL('../../../test/fixtures/paced-sender.mjs', import.meta.url));

let running: RunningHub | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('the rate limit after the hub stalled', () => {
  it('refuses nothing of a client sending at 110/s (limit 120/s, burst 240) through a 3 s stall of the hub', async () => {
    running = await startHub();
    const lines: string[] = [];
    const child = spawn(process.execPath, [SENDER, running.url, '110', '6'], { stdio: ['ignore', 'pipe', 'inherit'] });
    collectLines(child.stdout!, lines);
    try {
      await waitFor(() => lines.includes('sending'), 10_000, 'the sender to start');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // The hub's loop is stuck (a slow hook, a long GC): 330 frames pile up in its socket meanwhile.
      const until = Date.now() + 3000;
      while (Date.now() < until);
      const report = await waitFor(() => lines.find((line) => line.startsWith('{')), 20_000, 'the sender to finish');
      const { sent, acks, errors, closeCode } = JSON.parse(report) as { sent: number; acks: number; errors: string[]; closeCode: number | null };
      expect(errors).toEqual([]);
      expect(closeCode).toBeNull();
      expect(acks).toBe(sent);
    } finally {
      child.kill();
    }
  }, 40_000);
});
