import { describe, inject, it } from 'vitest';
import { INSTALL_REDIS, redisClusterAvailable } from './redis-cluster-process.js';

export { startRedisCluster, redisClusterAvailable, type RedisClusterProcess, type RedisClusterNode } from './redis-cluster-process.js';

/**
 * `describe` for suites that need a Redis Cluster. Without `redis-server` and `redis-cli` on PATH the
 * suite is skipped with the fix in its name, except in CI (`CI` set), where it fails.
 */
export function describeIfRedisCluster(name: string, body: () => void): void {
  if (redisClusterAvailable()) describe(name, body);
  else if (process.env.CI) {
    describe(name, () => {
      it('needs redis-server and redis-cli', () => {
        throw new Error(`redis-server or redis-cli is not on PATH: ${INSTALL_REDIS}`);
      });
    });
  } else {
    console.warn(`Skipping "${name}": redis-server or redis-cli is not on PATH (${INSTALL_REDIS})`);
    describe.skip(`${name} (redis-server or redis-cli is not on PATH: ${INSTALL_REDIS})`, body);
  }
}

/** Seed URLs of the Redis Cluster the run shares (started once by the global setup). */
export function sharedRedisCluster(): string[] {
  const urls = inject('redisCluster');
  if (!urls) throw new Error(`the shared Redis Cluster did not start: is redis-server on PATH? (${INSTALL_REDIS})`);
  return urls;
}

let suffix = 0;
/** A key and channel prefix no other suite or test on the shared cluster uses. */
export function uniquePrefix(name: string): string {
  return `${name}${process.pid}.${++suffix}:`;
}
