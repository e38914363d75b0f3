// The server process of the suite: one contender per process, driven by the generator over IPC.
//
//   (spawned by server-handle.ts) [taskset -c 0] node --expose-gc --import tsx bench/compare/server.ts '<ServerConfig JSON>'
//
// Commands (request → reply, matched by `id`): usage, gc, profile-start, profile-stop, close.
import { CONTENDERS, startServer, type RunningServer, type ServerConfig } from './servers.js';
import { profiler, runGc } from './util.js';

interface Request {
  id: number;
  cmd: 'cpu' | 'usage' | 'gc' | 'profile-start' | 'profile-stop' | 'close';
  args?: { file?: string; heap?: boolean };
}

const config = JSON.parse(process.argv[2] ?? '{}') as ServerConfig;
if (!CONTENDERS.includes(config.contender) || !process.send) {
  console.error('usage: spawned by bench/compare/server-handle.ts with an IPC channel');
  process.exit(2);
}
const send = (message: unknown) => process.send!(message);
// The parent died: nothing left to serve.
process.on('disconnect', () => process.exit(0));

let running: RunningServer;
try {
  running = await startServer(config);
  send({ ready: true, port: running.port, pid: process.pid });
} catch (error) {
  send({ ready: false, error: String((error as Error)?.stack ?? error) });
  process.exit(1);
}

process.on('message', (message: Request) => {
  void handle(message).then(
    (result) => send({ id: message.id, ok: true, result }),
    (error: Error) => send({ id: message.id, ok: false, error: String(error?.stack ?? error) }),
  );
});

async function handle(request: Request): Promise<unknown> {
  switch (request.cmd) {
    // CPU alone, for the edges of a measured window: the rest of 'usage' (a Ghost hub's stats() walks
    // every connection) would be charged to the window it opens.
    case 'cpu':
      return process.cpuUsage();
    case 'usage':
      return { cpu: process.cpuUsage(), mem: process.memoryUsage(), connections: running.connections(), buffered: running.buffered(), extra: running.extra() };
    case 'gc':
      runGc();
      return process.memoryUsage();
    case 'profile-start':
      return profiler.start(request.args?.heap === true);
    case 'profile-stop':
      return profiler.stop(request.args!.file!);
    case 'close':
      await running.close();
      setImmediate(() => process.exit(0));
      return null;
    default:
      throw new Error(`unknown command ${String(request.cmd)}`);
  }
}
