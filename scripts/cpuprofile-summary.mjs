#!/usr/bin/env node
// node scripts/cpuprofile-summary.mjs <file.cpuprofile> [top=30]
// Summarises a V8 CPU profile (node --cpu-prof; `npm run bench -- search
// --cpu-prof=DIR` writes the search service's): the top frames by self
// time and by inclusive time, and self time by package, as % of the
// non-idle samples. The profiler samples wall-clock time: on a loaded
// machine a frame that blocks or is descheduled (a write syscall that wakes
// another process) looks heavier than its CPU; `perf record` tells CPU.
import fs from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node scripts/cpuprofile-summary.mjs <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));

const short = (url) => url.replace(/^.*node_modules\//, 'nm/').replace(/^file:\/\/.*?\/((services|shared|search-rules|workers|features)\/)/, '$1');
const key = (n) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const pkg = (n) => {
  const u = n.callFrame.url;
  if (u.includes('node_modules/')) return u.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1');
  if (u.startsWith('node:')) return u;
  if (u === '') return n.callFrame.functionName || '(native)';
  return u.replace(/^.*?\/((services|shared|search-rules|workers|features)\/[^/]+).*$/, '$1');
};

const selfBy = new Map();
const inclBy = new Map();
const byPkg = new Map();
let idle = 0;
let total = 0;
for (const [id, t] of self) {
  const n = nodes.get(id);
  total += t;
  if (n.callFrame.functionName === '(idle)') {
    idle += t;
    continue;
  }
  selfBy.set(key(n), (selfBy.get(key(n)) ?? 0) + t);
  byPkg.set(pkg(n), (byPkg.get(pkg(n)) ?? 0) + t);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = key(nodes.get(cur));
    if (!seen.has(k)) {
      seen.add(k);
      inclBy.set(k, (inclBy.get(k) ?? 0) + t);
    }
  }
}
const busy = total - idle;
const show = (title, m) => {
  console.log(`\n${title} (% of busy)`);
  [...m]
    .filter(([k]) => !k.startsWith('(root)') && !k.startsWith('(program)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([k, t]) => console.log(`${((100 * t) / busy).toFixed(1).padStart(5)}%  ${k}`));
};
console.log(`total ${(total / 1e3).toFixed(0)} ms, idle ${(idle / 1e3).toFixed(0)} ms, busy ${(busy / 1e3).toFixed(0)} ms`);
show('self time', selfBy);
show('inclusive time', inclBy);
show('self time by package', byPkg);
