// Vitest global setup: one Redis Cluster for the whole run, shared by every suite that runs against
// "a Redis Cluster" (each keeps apart by a key prefix of its own). Tests that kill or reshard nodes
// start a throwaway cluster of their own instead (`startRedisCluster`).
import type { TestProject } from 'vitest/node';
import { redisClusterAvailable, startRedisCluster } from './redis-cluster-process.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Seed URLs of the shared Redis Cluster, or null when redis-server / redis-cli are missing. */
    redisCluster: string[] | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!redisClusterAvailable()) {
    project.provide('redisCluster', null);
    return async () => undefined;
  }
  const cluster = await startRedisCluster();
  project.provide('redisCluster', cluster.urls);
  return () => cluster.stop();
}
