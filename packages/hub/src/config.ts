import { LEVELS, type Level } from './log.js';

/** Everything `ghost-hub` can be told, from flags or from the environment. */
export interface Config {
  port: number;
  host: string;
  /** WebSocket path of the hub. */
  path: string;
  redisUrl: string | undefined;
  /** Enables the operations API, metrics and inspector under `apiPath`. */
  apiToken: string | undefined;
  apiPath: string;
  nodeId: string | undefined;
  logLevel: Level;
  /** On SIGTERM, clients are asked to spread their reconnects over this long. */
  drainSpreadMs: number;
}

export const USAGE = `Usage: ghost-hub [options]

Runs a Ghost hub as a service. Every option can also come from the environment (in brackets);
a flag wins over the environment.

  --port N              port to listen on [PORT] (default 8080; 0 picks a free one)
  --host H              address to listen on [HOST] (default 0.0.0.0)
  --path P              WebSocket path [GHOST_PATH] (default /ghost)
  --redis URL           share a Redis with other ghost-hub nodes [GHOST_REDIS_URL or REDIS_URL]
  --api-token T         enable the HTTP API, /metrics and the inspector, behind this bearer token,
                        16+ characters [GHOST_API_TOKEN] (prefer the environment: flags show in ps)
  --api-path P          where the API, metrics and inspector live [GHOST_API_PATH] (default /ghost-admin)
  --node-id ID          this node's id in a cluster [GHOST_NODE_ID] (default: random)
  --log-level L         debug, info, warn or error [GHOST_LOG_LEVEL] (default info)
  --drain-spread-ms N   on SIGTERM, spread clients' reconnects over N ms [GHOST_DRAIN_SPREAD_MS] (default 0)
  -h, --help            show this help

Health: GET /healthz answers 200 while serving and 503 while draining.
`;

/** The outcome of reading the command line: a configuration, a request for help, or what is wrong. */
export type Parsed = { kind: 'config'; config: Config } | { kind: 'help' } | { kind: 'error'; message: string };

const FLAGS: Record<string, { env: string[]; key: keyof Config }> = {
  '--port': { env: ['PORT'], key: 'port' },
  '--host': { env: ['HOST'], key: 'host' },
  '--path': { env: ['GHOST_PATH'], key: 'path' },
  '--redis': { env: ['GHOST_REDIS_URL', 'REDIS_URL'], key: 'redisUrl' },
  '--api-token': { env: ['GHOST_API_TOKEN'], key: 'apiToken' },
  '--api-path': { env: ['GHOST_API_PATH'], key: 'apiPath' },
  '--node-id': { env: ['GHOST_NODE_ID'], key: 'nodeId' },
  '--log-level': { env: ['GHOST_LOG_LEVEL'], key: 'logLevel' },
  '--drain-spread-ms': { env: ['GHOST_DRAIN_SPREAD_MS'], key: 'drainSpreadMs' },
};

/** Reads flags (`--port 8080` or `--port=8080`) over environment variables over defaults, and checks them. */
export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Parsed {
  const raw = new Map<keyof Config, string>();
  for (const { env: names, key } of Object.values(FLAGS)) {
    const fromEnv = names.map((name) => env[name]).find((value) => value !== undefined && value !== '');
    if (fromEnv !== undefined) raw.set(key, fromEnv);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const known = FLAGS[flag];
    if (!known) return { kind: 'error', message: `unknown option ${JSON.stringify(arg)}` };
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) return { kind: 'error', message: `${flag} needs a value` };
    raw.set(known.key, value);
  }
  try {
    return { kind: 'config', config: check(raw) };
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
}

function check(raw: Map<keyof Config, string>): Config {
  const port = integer('--port', raw.get('port') ?? '8080', 0, 65_535);
  const path = urlPath('--path', raw.get('path') ?? '/ghost');
  const apiPath = urlPath('--api-path', raw.get('apiPath') ?? '/ghost-admin');
  if (apiPath === path || path === '/healthz' || apiPath === '/healthz') throw new Error('--path, --api-path and /healthz must differ');
  const redisUrl = raw.get('redisUrl');
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) throw new Error(`--redis must be a URL such as redis://127.0.0.1:6379, got ${JSON.stringify(redisUrl)}`);
  const apiToken = raw.get('apiToken');
  if (apiToken !== undefined && (apiToken.length < 16 || /\s/.test(apiToken))) {
    throw new Error('--api-token must be at least 16 characters without spaces (try `openssl rand -hex 24`)');
  }
  const logLevel = raw.get('logLevel') ?? 'info';
  if (!(LEVELS as readonly string[]).includes(logLevel)) throw new Error(`--log-level must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  return {
    port,
    host: raw.get('host') ?? '0.0.0.0',
    path,
    redisUrl,
    apiToken,
    apiPath,
    nodeId: raw.get('nodeId'),
    logLevel: logLevel as Level,
    drainSpreadMs: integer('--drain-spread-ms', raw.get('drainSpreadMs') ?? '0', 0, 600_000),
  };
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new Error(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return value;
}

function urlPath(flag: string, text: string): string {
  if (!text.startsWith('/') || (text.length > 1 && text.endsWith('/')) || /[?#\s]/.test(text)) {
    throw new Error(`${flag} must start with "/" and not end with one, such as /ghost; got ${JSON.stringify(text)}`);
  }
  return text;
}
