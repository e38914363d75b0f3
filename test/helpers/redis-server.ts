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


/**
 * A throwaway redis-server for the enclosing suite: started before its tests, stopped after them. The
 * object stands for it from the first test on (its url, kill and restart).
 */
export function useRedisServer(): RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
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
