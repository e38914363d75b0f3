import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { INSTALL_REDIS, redisAvailable, startRedisServer, type RedisServer } from './redis-process.js';

export { INSTALL_REDIS, freePort, redisAvailable, startRedisServer, type RedisServer } from './redis-process.js';

/**
 * `describe` for suites that spawn `redis-server`. Without one on PATH the suite is skipped with the fix
 * in its name, except in CI (`CI` set), where it fails: CI must never pass by running nothing.
 */
export function describeIfRedis(name: string, body: () => void): void {
  if (redisAvailable()) describe(name, body);
  else if (process.env.CI) {
    describe(name, () => {
      it('needs redis-server', () => {
        throw new Error(`redis-server is not on PATH: ${INSTALL_REDIS}`);
      });
    });
  } else {
    console.warn(`Skipping "${name}": redis-server is not on PATH (${INSTALL_REDIS})`);
    describe.skip(`${name} (redis-server is not on PATH: ${INSTALL_REDIS})`, body);
  }
}


/** How {@link useRedisServer} runs its server. */
export interface UseRedisServerOptions {
  /**
   * Keep the data across `kill` and `restart` (an append-only file written before each answer, in a
   * temporary folder removed after the suite), as a Redis restarted with its data does. @default false
   */
  persist?: boolean;
}

/**
 * A throwaway redis-server for the enclosing suite: started before its tests, stopped after them. The
 * object stands for it from the first test on (its url, kill and restart).
 */
export function useRedisServer(options: UseRedisServerOptions = {}): RedisServer {
  let server: RedisServer | undefined;
  let persistDir: string | undefined;
  beforeAll(async () => {
    if (options.persist) persistDir = mkdtempSync(path.join(tmpdir(), 'ghost-redis-'));
    server = await startRedisServer({ persistDir });
  });
  afterAll(async () => {
    await server?.stop();
    if (persistDir) rmSync(persistDir, { recursive: true, force: true });
  });
  const running = (): RedisServer => {
    if (!server) throw new Error('useRedisServer: redis-server starts before the tests; use it inside one');
    return server;
  };
  return {
    get url() { return running().url; },
    get port() { return running().port; },
    stop: () => running().stop(),
    kill: () => running().kill(),
    restart: () => running().restart(),
  };
}
