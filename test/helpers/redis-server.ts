import { describe, it } from 'vitest';
import { INSTALL_REDIS, redisAvailable } from './redis-process.js';

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

