// node bench/dist/cpuprofile-top.js <file.cpuprofile> [n] [filter]
// node bench/dist/cpuprofile-top.js <file.cpuprofile> --steps
// Summarises a V8 CPU profile (node --cpu-prof, or a bench's per-phase
// profile): the top frames by self time and by inclusive time (a frame
// counted once per sample however deep it recurses), and self time by
// package, as % of the profile's non-idle samples. `filter`, a substring of
// a frame's name or file: only samples with such a frame on their stack
// count (what a route's handler costs, and where). The profiler samples
// wall-clock time: on a loaded machine a frame that blocks or is
// descheduled (a write syscall that wakes another process) looks heavier
// than its CPU; `perf record` tells CPU.
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * --steps: each busy sample goes to the first step, in this order, that has
 * a frame on its stack matching its pattern (so a socket write under the
 * Redis client counts as Redis, one under res.json as the response). The
 * body reader comes late: its callback runs the handler's synchronous part
 * (the guard and rewrite of a search) on its stack.
 */
const STEPS: [string, RegExp][] = [
  ['garbage collection', /^\(garbage collector\)/],
  ['Redis client (ioredis: commands, socket writes, reply parsing)', /nm\/(ioredis|redis-parser|cluster-key-slot)\/|shared\/dist\/moderation\/(pipelined|lua-scripts)\.js/],
  ['response (res.json: stringify, ETag, headers, socket write)', /^(json|send) nm\/express\/lib\/response\.js/],
  ['auth (guard, token hash, limiter, principal)', /http\/auth\.js|auth\/(token-store|failed-auth-limiter|credentials)\.js/],
  ['claim logic (heads merge and sort, lease, case record)', /moderation\/(case-store|case-record)\.js|routes\/review\.js/],
  ['case mirror (background)', /case-mirror\.js/],
  ['search body serialise (JSON.stringify of the rewritten body)', /^serialise services\/search\//],
  ['Elasticsearch client (undici, @elastic/transport)', /nm\/(undici|@elastic)\/|upstream-client\.js/],
  ['search relay (Elasticsearch answer to the caller)', /^relay services\/search\//],
  ['guard and rewrite (search-rules)', /search-rules\/|filter-search\.js/],
  ['body (raw-body, JSON.parse) and ajv', /nm\/(body-parser|raw-body|secure-json-parse|ajv)\/|read-json\.js|body-error\.js|body-limits\.js|^parseJsonBody |validation\//],
  ['express routing and middleware', /nm\/(express|router|path-to-regexp|parseurl|finalhandler)\//],
  ['HTTP server (parse, sockets)', /^.*node:(_http_|net|internal\/stream)|^(writev|writeUtf8String|writeBuffer|onStreamRead)/],
];

const [file, nArg, filter] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/dist/cpuprofile-top.js <file.cpuprofile> [n] [filter]\n');
  process.exit(2);
}
const steps = nArg === '--steps';
const n = steps ? 30 : Number(nArg ?? 30);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((x) => [x.id, x]));
const parent = new Map<number, number>();
for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
const label = (x: Node) => {
  const url = x.callFrame.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'nm/').replace(/.*\/(shared|services|workers|bench)\//, '$1/');
  return `${x.callFrame.functionName || '(anonymous)'} ${url ? `${url}:${x.callFrame.lineNumber + 1}` : ''}`.trim();
};
/** The package a frame belongs to: an npm package, a node: module, a workspace's folder, or the native frame's name. */
const pkg = (x: Node) => {
  const u = x.callFrame.url;
  if (u.includes('node_modules/')) return u.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1');
  if (u.startsWith('node:')) return u;
  if (u === '') return x.callFrame.functionName || '(native)';
  return u.replace(/^.*?\/((services|shared|search-rules|workers|features|bench)\/[^/]+).*$/, '$1');
};
const self = new Map<string, number>();
const incl = new Map<string, number>();
const byPkg = new Map<string, number>();
let total = 0;
let idle = 0;
p.samples.forEach((id, i) => {
  const dt = p.timeDeltas[i] ?? 0;
  const leaf = byId.get(id);
  if (!leaf) return;
  if (leaf.callFrame.functionName === '(idle)') {
    idle += dt;
    return;
  }
  if (filter) {
    let hit = false;
    for (let at: number | undefined = id; at !== undefined && !hit; at = parent.get(at)) hit = label(byId.get(at) as Node).includes(filter);
    if (!hit) return;
  }
  total += dt;
  self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
  byPkg.set(pkg(leaf), (byPkg.get(pkg(leaf)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const l = label(byId.get(at) as Node);
    if (seen.has(l)) continue;
    seen.add(l);
    incl.set(l, (incl.get(l) ?? 0) + dt);
  }
});
if (steps) {
  const bySteps = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const leaf = byId.get(id);
    if (!leaf || leaf.callFrame.functionName === '(idle)') return;
    const stack: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(label(byId.get(at) as Node));
    const step = STEPS.find(([, re]) => stack.some((l) => re.test(l)))?.[0] ?? 'other';
    bySteps.set(step, (bySteps.get(step) ?? 0) + dt);
  });
  console.log(`busy ${(total / 1000).toFixed(0)} ms`);
  for (const [step, us] of [...bySteps].sort((a, b) => b[1] - a[1])) console.log(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${step}`);
  process.exit(0);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
console.log(`busy ${(total / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms`);
for (const [title, m] of [['self', self], ['inclusive', incl], ['package (self)', byPkg]] as const) {
  console.log(`\n-- top ${n} by ${title} time`);
  for (const [l, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(us)}  ${l}`);
}
