// The server process of the comparison: one stack per process, driven by run.ts over the IPC channel.
//
//   (spawned by run.ts) node --expose-gc --import tsx bench/compare/server.ts <ws|socketio|ghost>
//
// Commands (request → reply, matched by `id`): hello, now, usage, gc, publish (Ghost's `hub.publish`
// from the server, with a window that run.ts advances with `progress` messages), profile-start,
// profile-stop, close.
import { startStack, STACKS, type RunningStack, type Stack } from './servers.js';
import { now, profiler, runGc } from './util.js';

interface Request {
  id: number;
  cmd: 'hello' | 'now' | 'usage' | 'gc' | 'publish' | 'profile-start' | 'profile-stop' | 'close';
  args?: { topic: string; count: number; window: number; file: string };
}
type Progress = { progress: number };

const stack = process.argv[2] as Stack;
if (!STACKS.includes(stack) || !process.send) {
  console.error('usage: spawned by bench/compare/run.ts with an IPC channel; argument: ws | socketio | ghost');
  process.exit(2);
}

const send = (message: unknown) => process.send!(message);
let running: RunningStack;
let delivered = 0;
let pump: (() => void) | undefined;

process.on('message', (message: Request | Progress) => {
  if ('progress' in message) {
    delivered = message.progress;
    pump?.();
    return;
  }
  void handle(message).then(
    (result) => send({ id: message.id, ok: true, result }),
    (error: Error) => send({ id: message.id, ok: false, error: String(error?.stack ?? error) }),
  );
});
if (process.env.BENCH_DEBUG) {
  let last = performance.now();
  setInterval(() => {
    const t = performance.now();
    console.log(`[server] tick lag ${Math.round(t - last - 1000)} ms, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB, connected ${process.connected}`);
    last = t;
  }, 1000).unref();
}
// The parent died: nothing left to serve.
process.on('disconnect', () => process.exit(0));

async function handle(request: Request): Promise<unknown> {
  switch (request.cmd) {
    case 'hello':
      running = await startStack(stack);
      return { port: running.port, pid: process.pid };
    case 'now':
      return now();
    case 'usage':
      return { cpu: process.cpuUsage(), mem: process.memoryUsage(), connections: running.connections() };
    case 'gc':
      runGc();
      return process.memoryUsage();
    case 'publish':
      return publish(request.args!);
    case 'profile-start':
      return profiler.start();
    case 'profile-stop':
      return profiler.stop(request.args!.file);
    case 'close':
      await running.close();
      setImmediate(() => process.exit(0));
      return null;
    default:
      throw new Error(`unknown command ${String(request.cmd)}`);
  }
}

/** Publishes `count` messages from the server, never more than `window` ahead of full delivery. */
function publish({ topic, count, window }: { topic: string; count: number; window: number }): Promise<number> {
  const publishFn = running.serverPublish;
  if (!publishFn) throw new Error(`${stack} has no server-side publish`);
  delivered = 0;
  let sent = 0;
  return new Promise((resolve, reject) => {
    pump = () => {
      while (sent < count && sent - delivered < window) {
        const n = sent++;
        publishFn(topic, { text: 'hello', n, t: now() }).catch(reject);
      }
      if (sent >= count) {
        pump = undefined;
        resolve(sent);
      }
    };
    pump();
  });
}
