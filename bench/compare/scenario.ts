// The shape of a scenario and of what one run of it returns; the contenders' labels.
import path from 'node:path';
import { startServer, type ServerHandle } from './server-handle.js';
import type { Contender, ServerConfig } from './servers.js';
import type { Conn } from './wire.js';

/** A contender as a scenario runs it: the four stacks, and Socket.IO / Ghost on Redis. */
export type Label = Contender | 'socketio-redis' | 'ghost-redis';

export const contenderOf = (label: Label): Contender => label.replace('-redis', '') as Contender;

export interface CaseResult {
  /** One scenario may measure several cases in one run (two rates, with and without a stalled client). */
  case: string;
  /** Numbers of this run; the report takes the median, min and max over the repetitions. */
  metrics: Record<string, number>;
  /** Raw samples (latency, ms), merged over the repetitions before any percentile is taken. */
  samples?: Record<string, number[]>;
  info?: Record<string, unknown>;
}

export interface Ctx {
  rep: number;
  /** Where `--profile` wants a CPU profile of the server's measured window. */
  profileDir?: string;
  /** `--heap-profile`: with the CPU profile, a sampling heap profile of the window's allocations. */
  heapProfile?: boolean;
  /** Redis scenarios: a fresh redis-server for this run. */
  redis?: () => Promise<{ url: string; stop(): Promise<void> }>;
}

export interface Scenario<C = unknown> {
  id: string;
  title: string;
  contenders: Label[];
  config(quick: boolean): C;
  /** One line saying what is measured, for the report. */
  describe(config: C): string;
  run(label: Label, config: C, ctx: Ctx): Promise<CaseResult[]>;
}

/** Starts one server for `label`, runs `body`, and always closes the clients and the server. */
export async function withServer<T>(label: Label, body: (server: ServerHandle, conns: Conn[]) => Promise<T>, config: Partial<ServerConfig> = {}): Promise<T> {
  const server = await startServer({ contender: contenderOf(label), ...config });
  const conns: Conn[] = [];
  try {
    return await body(server, conns);
  } finally {
    for (const c of conns) c.terminate();
    await server.close();
  }
}

/** Profiles the server while `body` runs, when `--profile` asked for it. */
export async function profiled<T>(server: ServerHandle, ctx: Ctx, name: string, body: () => Promise<T>): Promise<T> {
  if (!ctx.profileDir) return body();
  await server.profileStart({ heap: ctx.heapProfile });
  try {
    return await body();
  } finally {
    await server.profileStop(path.join(ctx.profileDir, `${name}-rep${ctx.rep}.cpuprofile`)).catch((e: Error) => console.error(`  (no profile: ${e.message})`));
  }
}

export const round3 = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : v);
