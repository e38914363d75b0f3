import { numberOption } from '../number-option.js';
import { bearerCheck, MIN_TOKEN_LENGTH, type OpsCheck } from './check.js';

/** Options of `hub.attachOps` and {@link createOpsHandler}: where the endpoints live and who may use them. */
export interface OpsOptions {
  /**
   * The path under which everything is served: `<path>/topics/:name`, `<path>/metrics`, the inspector
   * at `<path>/`. @default '/ghost-admin'
   */
  path?: string;
  /**
   * The bearer token callers must send (`Authorization: Bearer <token>`); at least 16 characters.
   * Give this or `check`, not both.
   */
  token?: string;
  /** The app's own check, instead of a token (see {@link OpsCheck}). */
  check?: OpsCheck;
  /** How long a cluster-wide request (presence, stats, disconnect) waits for the other nodes' answers. @default 2000 */
  clusterTimeoutMs?: number;
  /** Largest request body accepted; larger ones get 413. @default 65536 */
  maxBodyBytes?: number;
  /** How often the inspector's live view is refreshed while someone watches it. @default 500 */
  inspectorIntervalMs?: number;
}

/** The defaults of {@link OpsOptions}. */
export const DEFAULT_OPS = Object.freeze({ path: '/ghost-admin', clusterTimeoutMs: 2000, maxBodyBytes: 64 * 1024, inspectorIntervalMs: 500 });

/** Options with every default filled in. */
export interface ResolvedOpsOptions {
  path: string;
  check: OpsCheck;
  clusterTimeoutMs: number;
  maxBodyBytes: number;
  inspectorIntervalMs: number;
}

/** Fills in defaults; throws a `TypeError` that names the fix for a bad option. */
export function resolveOpsOptions(options: OpsOptions, who: string): ResolvedOpsOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${who}: pass { token } (a bearer token of ${MIN_TOKEN_LENGTH}+ characters) or { check } (request) => boolean | null`);
  }
  const { token, check } = options;
  if (token !== undefined && check !== undefined) throw new TypeError(`${who}: pass token or check, not both`);
  if (token === undefined && check === undefined) {
    throw new TypeError(`${who}: the operations endpoints need a guard: pass { token } (a bearer token of ${MIN_TOKEN_LENGTH}+ characters) or { check }`);
  }
  if (token !== undefined && (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH || /\s/.test(token))) {
    throw new TypeError(`${who}: token must be a string of at least ${MIN_TOKEN_LENGTH} characters without spaces (try \`openssl rand -hex 24\`)`);
  }
  if (check !== undefined && typeof check !== 'function') throw new TypeError(`${who}: check must be a function (request) => boolean | null`);
  const path = options.path ?? DEFAULT_OPS.path;
  if (typeof path !== 'string' || !path.startsWith('/') || path.endsWith('/') || /[?#\s]/.test(path)) {
    throw new TypeError(`${who}: path must start with "/" and not end with one, such as '/ghost-admin'; got ${JSON.stringify(path)}`);
  }
  return {
    path,
    check: check ?? bearerCheck(token!),
    clusterTimeoutMs: numberOption(who, 'clusterTimeoutMs', options.clusterTimeoutMs, DEFAULT_OPS.clusterTimeoutMs),
    maxBodyBytes: numberOption(who, 'maxBodyBytes', options.maxBodyBytes, DEFAULT_OPS.maxBodyBytes),
    inspectorIntervalMs: numberOption(who, 'inspectorIntervalMs', options.inspectorIntervalMs, DEFAULT_OPS.inspectorIntervalMs),
  };
}
