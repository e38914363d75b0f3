// What the hub spends deciding about one frame: accepting a good one against refusing bad ones.
//
//   npx tsx bench/validation.ts
//
// decodeClientMessage is the hub's whole per-frame check (JSON.parse, type lookup, zod).
import { decodeClientMessage } from '@ghost/protocol';

const frames: Record<string, string> = {
  'valid presence.track': '{"type":"presence.track","room":"lobby","state":{"x":0.4821,"y":0.1377}}',
  'valid topic.publish': '{"type":"topic.publish","topic":"world","data":{"text":"Hello world!"},"ref":7}',
  'invalid JSON': '{"type":"presence.track","room":"lobby","state":{"x":0.48',
  'unknown type': '{"type":"presence.teleport","room":"lobby"}',
  'invalid field (room: 42)': '{"type":"presence.track","room":42,"state":{"x":1}}',
  'invalid name': '{"type":"presence.track","room":"two words","state":{"x":1}}',
  'missing state': '{"type":"presence.track","room":"lobby"}',
  'nested 65 deep': `{"type":"topic.publish","topic":"t","data":${'['.repeat(65)}${']'.repeat(65)}}`,
};

function nsPerCall(frame: string, calls: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) decodeClientMessage(frame);
  return Number(process.hrtime.bigint() - start) / calls;
}

const rows: Record<string, number> = {};
for (const [name, frame] of Object.entries(frames)) {
  nsPerCall(frame, 20_000); // warm up
  const runs = Array.from({ length: 7 }, () => nsPerCall(frame, 100_000)).sort((a, b) => a - b);
  rows[name] = Math.round(runs[3]!);
}
const valid = rows['valid presence.track']!;
console.log('ns per frame (median of 7 × 100k), and the ratio to accepting a valid presence.track:');
for (const [name, ns] of Object.entries(rows)) console.log(`  ${name.padEnd(28)} ${String(ns).padStart(6)} ns  ${(ns / valid).toFixed(2)}×`);
