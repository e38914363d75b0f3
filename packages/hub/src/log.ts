// Structured logs: one JSON object per line on stdout, one line per lifecycle event, so a log
// collector can index them without parsing prose.

/** How much is logged; each level includes the ones after it. */
export const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type Level = (typeof LEVELS)[number];

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export function createLogger(out: NodeJS.WritableStream, minimum: Level): Logger {
  const floor = LEVELS.indexOf(minimum);
  const write = (level: Level) => (event: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS.indexOf(level) < floor) return;
    out.write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
