#!/usr/bin/env node
// `ghost-hub`: a Ghost hub as a service. Configuration from flags or the environment, a health
// endpoint, one JSON log line per lifecycle event, and a graceful drain on SIGTERM (and Ctrl-C).
import { readFileSync } from 'node:fs';
import { parseConfig, USAGE } from './config.js';
import { createLogger } from './log.js';
import { startService } from './service.js';

// A drain that hangs (a client that never answers the close handshake is cut after 2 s by the hub)
// must not keep an orchestrator waiting for ever.
const DRAIN_DEADLINE_MS = 15_000;

const parsed = parseConfig(process.argv.slice(2), process.env);
if (parsed.kind === 'help') {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (parsed.kind === 'error') {
  process.stderr.write(`ghost-hub: ${parsed.message}\n\n${USAGE}`);
  process.exit(2);
}
const { config } = parsed;
const log = createLogger(process.stdout, config.logLevel);
// ../package.json from src/ and from dist/ alike.
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
log.info('starting', { version, node: process.version, pid: process.pid });

try {
  const service = await startService(config, log);
  const stop = (signal: NodeJS.Signals) => {
    setTimeout(() => {
      log.error('drain.timeout', { afterMs: DRAIN_DEADLINE_MS });
      process.exit(1);
    }, DRAIN_DEADLINE_MS).unref();
    service.drain(signal).then(() => process.exit(0), (error: Error) => {
      log.error('drain.failed', { message: error.message });
      process.exit(1);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  log.error('start.failed', { message: (error as Error).message });
  process.exit(1);
}
