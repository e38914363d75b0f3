import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { closeAfterTest } from './cleanup.js';

/** A hub node in its own process (test/fixtures/hub-node.ts), so a test can SIGKILL it. */
export interface HubProcess {
  child: ChildProcess;
  port: number;
}

/** A single Redis (its URL), or a Redis Cluster (seed URLs and a key prefix of the test's own). */
export type RedisAt = string | { cluster: string[]; prefix?: string };

/**
 * Starts test/fixtures/hub-node.ts on Redis as its own process and waits until it listens; killed after
 * the test. `env` adds the fixture's settings (NODE_HEARTBEAT_MS, RECOVERY_TOPICS, …). `script` runs
 * another node program instead (it reads REDIS_URL and NODE_ID, and prints `listening PORT`).
 */
export async function spawnHubNode(redis: RedisAt, nodeId: string, env: Record<string, string> = {}, script = new URL('../fixtures/hub-node.ts', import.meta.url)): Promise<HubProcess> {
  const where = typeof redis === 'string'
    ? { REDIS_URL: redis }
    : { REDIS_CLUSTER: redis.cluster.join(','), ...(redis.prefix && { REDIS_PREFIX: redis.prefix }) };
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(script)], {
    env: { ...process.env, ...where, NODE_ID: nodeId, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  closeAfterTest(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code, signal) => reject(new Error(`hub-node exited early (${code ?? signal}): ${out}`)));
  });
  return { child, port };
}
