// npm run bench -- rule-offload
// How long the main thread stalls while the heavy rule work of an import, a
// publish and a preview runs: on the main thread (as before issue 15) and
// through the RulePool (as the API does now), in the same run. A probe timer
// every 5 ms stands in for a claim or heartbeat: its lateness is how long a
// request would have waited for the event loop. Ends with one JSON line.
import { performance } from 'node:perf_hooks';
import { RulePool, checkPublish, parseRuleImport, previewQueries, rulesToCsv, testing, type Rule } from '@takedown/search-rules';
import { percentile, round, runBench } from './bench-env';

const RULES = 50_000;
const PREVIEWED = 500;
const QUERIES = 10_000;
const PROBE_MS = 5;

const at = '2026-11-01T00:00:00.000Z';
const rules: Rule[] = Array.from({ length: RULES }, (_, i) => ({ id: `r${i}`, kind: 'term', pattern: testing.syntheticWord(i), category: 'drugs', scope: ['query', 'content'], action: 'flag_for_review', createdBy: 'bench', createdAt: at }));
const live = rules.slice(PREVIEWED);
const csv = rulesToCsv(rules);
const queries = Array.from({ length: QUERIES }, (_, i) => `buy ${testing.syntheticWord(i % (PREVIEWED * 2))} near me ${i}`);
const defaults = { createdBy: 'bench', createdAt: at };

/** Runs `work` while a probe measures how late each 5 ms tick fires. */
async function probed(work: () => Promise<void>): Promise<{ ms: number; p99: number; max: number }> {
  const late: number[] = [];
  let expected = performance.now() + PROBE_MS;
  let running = true;
  const tick = () => {
    const now = performance.now();
    late.push(Math.max(0, now - expected));
    expected = now + PROBE_MS;
    if (running) timer = setTimeout(tick, PROBE_MS);
  };
  let timer = setTimeout(tick, PROBE_MS);
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  // Let a tick that is overdue (the loop was blocked) fire and be counted.
  await new Promise((r) => setTimeout(r, PROBE_MS * 2));
  running = false;
  clearTimeout(timer);
  late.sort((a, b) => a - b);
  return { ms: round(ms), p99: round(percentile(late, 99)), max: round(late[late.length - 1] ?? 0) };
}

async function main(): Promise<void> {
  const pool = new RulePool({ size: 1, taskTimeoutMs: 120_000, maxQueued: 8 });
  // Load the worker first: its boot is not what a request waits for once the API is up.
  await pool.run('parse-import', { content: '[]', format: 'json', defaults });

  const idle = await probed(() => new Promise((r) => setTimeout(r, 1000)));
  const steps = {
    import: { main: () => void parseRuleImport(csv, 'csv', defaults), pool: () => pool.run('parse-import', { content: csv, format: 'csv', defaults }) },
    publish: { main: () => void checkPublish({ live, next: rules, publishedAt: at, publishedBy: 'bench' }), pool: () => pool.run('check-publish', { live, next: rules, publishedAt: at, publishedBy: 'bench' }) },
    preview: {
      main: () => void previewQueries({ live, draft: rules, maxRules: PREVIEWED, samples: 5, queries, csamEverywhere: [] }),
      pool: () => pool.run('preview-queries', { live, draft: rules, maxRules: PREVIEWED, samples: 5, queries, csamEverywhere: [] }),
    },
  };
  const out: Record<string, unknown> = { idle };
  for (const [name, s] of Object.entries(steps)) {
    // Yield once first so the probe's timer is armed before the synchronous work starts.
    const onMain = await probed(async () => {
      await new Promise((r) => setTimeout(r, PROBE_MS * 2));
      s.main();
    });
    const offloaded = await probed(async () => {
      await s.pool();
    });
    out[name] = { mainThread: onMain, pool: offloaded, stallRatio: round(onMain.max / Math.max(offloaded.max, 1)) };
    console.log(`${name.padEnd(8)} main thread: ${onMain.ms} ms of work, event loop stalled up to ${onMain.max} ms (p99 ${onMain.p99}); pool: ${offloaded.ms} ms, stalled up to ${offloaded.max} ms (p99 ${offloaded.p99})`);
  }
  console.log(`idle probe: p99 ${idle.p99} ms, max ${idle.max} ms (${RULES} rules, ${PREVIEWED} previewed over ${QUERIES} logged searches)`);
  await pool.close();
  console.log(JSON.stringify({ bench: 'rule-offload', rules: RULES, previewed: PREVIEWED, queries: QUERIES, ...out }));
}

runBench(main);
