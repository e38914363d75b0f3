// The client: browser bundle size (min+gzip, as packages/client/test/size.test.ts builds it) and the
// cost of decoding one server frame in @ghost/client (parseFrame, dispatch, the handle's bookkeeping
// and the app's handler), fed through a fake socket so no network is timed.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { BROWSER_BUILD, BUNDLE_BUDGET, CLIENT_FROM_SOURCES } from '../../test/helpers/browser-bundle.js';
import { createClient } from '@ghost/client';
import { PROTOCOL_VERSION } from '@ghost/protocol';

async function bundleSize(): Promise<{ minified: number; gzip: number }> {
  const result = await build({ ...BROWSER_BUILD, ...CLIENT_FROM_SOURCES });
  const code = result.outputFiles[0]!.text;
  return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

class FakeSocket {
  static last: FakeSocket | undefined;
  readyState = 1;
  onopen: ((e: unknown) => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(): void {}
  close(): void {
    this.readyState = 3;
  }
}

/** ns per frame: median of `rounds` rounds of `count` frames. */
function time(deliver: (i: number) => void, count: number, rounds: number): number {
  for (let i = 0; i < count; i++) deliver(i); // warm-up
  const results: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < count; i++) deliver(i);
    results.push(Number(process.hrtime.bigint() - t0) / count);
  }
  return Math.round(results.sort((a, b) => a - b)[Math.floor(rounds / 2)]!);
}

async function decodeCost(quick: boolean) {
  const client = createClient('ws://127.0.0.1:1/ghost', { WebSocket: FakeSocket as never });
  for (let i = 0; i < 100 && !FakeSocket.last; i++) await new Promise((r) => setTimeout(r, 1));
  const socket = FakeSocket.last!;
  socket.onopen?.({});
  socket.onmessage?.({ data: `{"type":"welcome","v":${PROTOCOL_VERSION},"id":"D6TeaVOwQ31x","color":"hsl(34 75% 45%)","resumed":false,"resume":"D6TeaVOwQ31x.67fox4h340--3lNeGdBuXBHS","heartbeatMs":15000,"maxFrameBytes":65536}` });
  let got = 0;
  client.topic('news').subscribe(() => void got++);
  const room = client.presence('lobby');
  room.on('update', () => void got++);
  const ids = Array.from({ length: 24 }, (_, i) => `member${String(i).padStart(6, '0')}`);
  socket.onmessage?.({ data: JSON.stringify({ type: 'presence.snapshot', room: 'lobby', members: ids.map((id) => ({ id, color: 'hsl(1 75% 45%)', state: { x: 0.5, y: 0.5 } })) }) });
  const topicFrame = (n: number) => `{"type":"topic.message","topic":"news","data":{"n":${n},"t":12345.67,"text":"hello"},"from":"L2SEgb3bxwbF","ts":1795312859711}`;
  const diffFrame = (n: number) =>
    `{"type":"presence.diff","room":"lobby","updates":[${ids.map((id, i) => `{"id":"${id}","state":{"m":${i},"n":${n},"t":12345.67,"x":0.${(n * 7 + i) % 9000 + 1000},"y":0.4321}}`).join(',')}]}`;
  const count = quick ? 20_000 : 100_000;
  const topicFrames = Array.from({ length: 1000 }, (_, n) => topicFrame(n));
  const diffFrames = Array.from({ length: 1000 }, (_, n) => diffFrame(n));
  const topicNs = time((i) => socket.onmessage!({ data: topicFrames[i % 1000] }), count, 7);
  const diffNs = time((i) => socket.onmessage!({ data: diffFrames[i % 1000] }), count / 10, 7);
  const jsonNs = time((i) => JSON.parse(diffFrames[i % 1000]!), count / 10, 7);
  void client.close();
  return {
    topicMessageNsPerFrame: topicNs,
    presenceDiff24NsPerFrame: diffNs,
    presenceDiff24NsPerUpdate: Math.round(diffNs / 24),
    presenceDiff24JsonParseNs: jsonNs,
    presenceDiffBytes: diffFrames[0]!.length,
    handlerCalls: got,
  };
}

export async function clientCost(quick: boolean) {
  return { bundle: { ...(await bundleSize()), budget: BUNDLE_BUDGET }, decode: await decodeCost(quick) };
}
