// The command-line client, a Node process speaking to the hub over a WebSocket like the page does:
//   sub TOPIC...        prints each message of the topics as a line, until Ctrl-C
//   pub TOPIC MESSAGE   publishes MESSAGE (a string) once, and exits once the hub acknowledged it
// The hub is at $GHOST_URL, by default ws://localhost:$PORT/ghost (PORT: 3000).
import { pathToFileURL } from 'node:url';
import { createClient, type GhostClient } from '@ghost/client';

const USAGE = 'usage: sub TOPIC... | pub TOPIC MESSAGE';
const PUBLISH_TIMEOUT_MS = 10_000;

export async function runCli(command: string, args: string[], url = process.env.GHOST_URL || `ws://localhost:${process.env.PORT || 3000}/ghost`): Promise<number> {
  if (command === 'sub' && args.length > 0) return subscribe(createClient(url), url, args);
  if (command === 'pub' && args.length >= 2) return publish(createClient(url), url, args[0]!, args.slice(1).join(' '));
  console.error(USAGE);
  return 2;
}

async function subscribe(client: GhostClient, url: string, topics: string[]): Promise<number> {
  try {
    for (const topic of topics) {
      client.topic(topic).subscribe((data, { from, ts }) => {
        const time = new Date(ts).toLocaleTimeString('en-GB');
        console.log(`${time} [${topic}] ${from ?? 'server'}: ${typeof data === 'string' ? data : JSON.stringify(data)}`);
      });
    }
  } catch (error) {
    return fail(client, error); // an invalid topic name
  }
  client.on('error', (error) => console.error(`${error.code}: ${error.message}`));
  client.on('status', (status) => {
    if (status === 'open') console.error(`Subscribed to ${topics.join(', ')} at ${url}; Ctrl-C to stop`);
    else if (status === 'reconnecting') console.error(`Lost the hub at ${url}; reconnecting…`);
  });
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await client.close();
  return 0;
}

async function publish(client: GhostClient, url: string, topic: string, message: string): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const why = `No answer from the hub at ${url} within ${PUBLISH_TIMEOUT_MS / 1000} s: is the server running (npm run example:pubsub)?`;
    timer = setTimeout(() => reject(new Error(why)), PUBLISH_TIMEOUT_MS);
  });
  try {
    await Promise.race([client.topic(topic).publish(message), timeout]);
    console.log(`Published to ${topic}: the hub acknowledged it`);
    await client.close();
    return 0;
  } catch (error) {
    return fail(client, error);
  } finally {
    clearTimeout(timer);
  }
}

async function fail(client: GhostClient, error: unknown): Promise<number> {
  const { code, message } = error as { code?: string; message: string };
  console.error(code ? `${code}: ${message}` : message);
  await client.close();
  return 1;
}

// `node --import tsx cli.ts pub world "Hello world!"` works too.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runCli(process.argv[2] ?? '', process.argv.slice(3));
}
