// The Lua scripts behind the adapter's store. Each touches exactly one key, so on a Redis Cluster each
// runs on the shard that owns that key's slot, unchanged.
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** A connection to one Redis, or to a Redis Cluster: both route a one-key script to where the key lives. */
export type RedisClient = Redis | Cluster;

// Take `KEYS[1]` for `ARGV[1]` for `ARGV[2]` ms; the owner that holds it refreshes the expiry.
const CLAIM = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;

// Compare and delete: a claim that expired and was taken by someone else is left alone.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

// Append ARGV[3] to the stream capped at ARGV[1] entries ('' for no cap), in field ARGV[2]. A new
// stream (the first append, or one Redis lost in a restart) starts numbering at the current time in
// microseconds, above any number an earlier incarnation gave out: a client's position in the lost
// history then reads as a gap (a `reset`), never as a place in the new one. After that, `0-*` counts
// on from the last id: consecutive, across nodes, kept after trimming. ARGV[4] is the idle lifetime in
// ms ('' for none, which also clears one set before), set in the same script so an appended stream is
// never left without its expiry. ARGV[5] is a token of this call, kept in field `t`: ioredis sends a
// call again after a reconnect when its answer was lost with the link, and a call found among the
// newest APPEND_RECENT entries answers with that entry's id instead of appending it twice.
const APPEND_RECENT = 16;
const APPEND = `
local id = '0-*'
if redis.call('EXISTS', KEYS[1]) == 0 then
  local t = redis.call('TIME')
  id = '0-' .. t[1] .. string.sub('00000' .. t[2], -6)
else
  for _, e in ipairs(redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ${APPEND_RECENT})) do
    if e[2][3] == 't' and e[2][4] == ARGV[5] then return e[1] end
  end
end
local added
if ARGV[1] == '' then added = redis.call('XADD', KEYS[1], id, ARGV[2], ARGV[3], 't', ARGV[5])
else added = redis.call('XADD', KEYS[1], 'MAXLEN', '=', ARGV[1], id, ARGV[2], ARGV[3], 't', ARGV[5]) end
if ARGV[4] == '' then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return added`;

// Entries after seq ARGV[1] (at most ARGV[2]) plus, from the same snapshot, the oldest entry's id (or
// none) and the last id the stream gave out (it keeps it after trimming).
const RANGE = `
local entries = {}
if tonumber(ARGV[2]) > 0 then
  entries = redis.call('XRANGE', KEYS[1], '(0-' .. ARGV[1], '+', 'COUNT', ARGV[2])
end
local last = '0-0'
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then last = info[i + 1] end
  end
end
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
if first then return { 'first', first[1], entries, last } end
return { 'last', last, entries, last }`;

/** A Lua script run by hash, sent in full only when Redis does not know it yet (first use, a restart). */
function script(source: string) {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (redis: RedisClient, key: string, ...args: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, 1, key, ...args);
    } catch (error) {
      if (!String(error).includes('NOSCRIPT')) throw error;
      return redis.eval(source, 1, key, ...args);
    }
  };
}
export const claim = script(CLAIM);
export const release = script(RELEASE);
export const range = script(RANGE);
export const append = script(APPEND);

/** The sequence number of a stream id `0-N`. */
export function seqOf(id: unknown): number {
  return Number(String(id).slice(String(id).indexOf('-') + 1));
}

