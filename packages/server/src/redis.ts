// The `@ghost/server/redis` entry: kept apart from the main one so that only apps using Redis load
// (and install) `ioredis`.
export { redisAdapter, type RedisAdapterOptions } from './adapters/redis.js';
