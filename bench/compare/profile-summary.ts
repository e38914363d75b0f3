// Summarises a V8 .cpuprofile (as written by `node --cpu-prof`, e.g. `run.ts --profile`): self time
// by function and by package/file, and total (inclusive) time of chosen frames. Given a .heapprofile
// (`run.ts --heap-profile`): bytes allocated by function, by package/file, and by the three innermost
// frames of the allocating stack.
//
//   npx tsx bench/compare/profile-summary.ts <file.cpuprofile|file.heapprofile> [top=25]
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const file = process.argv[2];
const top = Number(process.argv[3] ?? 25);
if (!file) {
  console.error('usage: npx tsx bench/compare/profile-summary.ts <file.cpuprofile|file.heapprofile> [top=25]');
  process.exit(2);
}
const parsed = JSON.parse(readFileSync(file, 'utf8')) as Profile | { head: HeapNode };
if ('head' in parsed) {
  summariseHeap(parsed.head);
  process.exit(0);
}
const profile = parsed;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

function where(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '');
  if (!url) return '(native/VM)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 13).split('/').slice(0, url.slice(nm + 13).startsWith('@') ? 2 : 1).join('/');
  const pk = /packages\/([^/]+)\/src\/(.*)$/.exec(url);
  if (pk) return `@ghost/${pk[1]} ${pk[2]}`;
  if (url.startsWith('node:')) return url;
  return url.split('/').slice(-2).join('/');
}
function name(frame: CallFrame): string {
  return `${frame.functionName || '(anonymous)'} ${where(frame)}:${frame.lineNumber + 1}`;
}

const selfByFn = new Map<string, number>();
const selfByWhere = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  selfByFn.set(name(node.callFrame), (selfByFn.get(name(node.callFrame)) ?? 0) + us);
  const w = node.callFrame.url ? where(node.callFrame) : node.callFrame.functionName || '(native/VM)';
  selfByWhere.set(w, (selfByWhere.get(w) ?? 0) + us);
  // Inclusive time: every distinct frame on the stack of this sample gets it once.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const key = name(byId.get(cur)!.callFrame);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
const print = (title: string, map: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
};
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
print('self time by package / file', selfByWhere, 15);
print('self time by function', selfByFn, top);
print('inclusive time by function', new Map([...inclusive].filter(([k]) => !k.startsWith('(root)') && !k.startsWith('(program)'))), top);

function summariseHeap(head: HeapNode): void {
  const byFn = new Map<string, number>();
  const byWhere = new Map<string, number>();
  const byStack = new Map<string, number>();
  let bytes = 0;
  const walk = (node: HeapNode, stack: string[]) => {
    const here = [name(node.callFrame), ...stack];
    if (node.selfSize > 0) {
      bytes += node.selfSize;
      const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + node.selfSize);
      add(byFn, here[0]!);
      add(byWhere, node.callFrame.url ? where(node.callFrame) : node.callFrame.functionName || '(native/VM)');
      add(byStack, here.slice(0, 3).join(' < '));
    }
    for (const child of node.children) walk(child, here);
  };
  walk(head, []);
  const show = (title: string, map: Map<string, number>, n: number) => {
    console.log(`\n${title}`);
    for (const [k, b] of [...map].sort((x, y) => y[1] - x[1]).slice(0, n)) console.log(`${((100 * b) / bytes).toFixed(1).padStart(5)}%  ${(b / 1e6).toFixed(2).padStart(7)} MB  ${k}`);
  };
  console.log(`${file}: ${(bytes / 1e6).toFixed(1)} MB allocated (sampled)`);
  show('allocated by package / file', byWhere, 15);
  show('allocated by function', byFn, top);
  show('allocated by stack (innermost three frames)', byStack, top);
}
