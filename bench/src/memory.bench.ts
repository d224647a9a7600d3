// npm run bench -- memory            (needs-servers: real Redis and Elasticsearch)
// What the data costs to hold, for docs/scaling.md:
// 1. Redis bytes per open case (CaseStore.fold, as triage writes it: case
//    hash, report set, lane entries, audit event) with one report and with a
//    second report folded in, for the demo corpus's posts and for ~1 KB posts.
// 2. Redis bytes per report waiting in the BullMQ `reports` queue.
//    Both summed with MEMORY USAGE over the keys SCAN finds under the run's own
//    prefix (the shared server's INFO used_memory moves with everyone else's
//    work, so its delta is printed but not relied on), grouped by kind of key.
//    Baselines in the same run: the empty prefix before anything is written
//    (must be 0) and the same payloads as plain Redis strings (the JSON bytes
//    themselves, SET under one key each): ratio = structure overhead.
// 3. Elasticsearch store bytes per document of the content index: the demo
//    posts as ingest stores them (with moderation.*) beside the same posts
//    without moderation fields, each index force-merged to one segment (the
//    steady state of a large index), for demo-sized and ~1 KB posts.
// Size with TAKEDOWN_MEMORY_N (cases and jobs, default 5,000) and
// TAKEDOWN_MEMORY_DOCS (documents per index, default 6,000: the demo corpus).
// Everything is removed at the end. Ends with one JSON line.
import { CaseStore, CatalogQueue, caseIdFor, casePriority, createRedisClient, ensureContentIndex, generateDemoCorpus, jobCatalog, laneScore, moderationKeys, redisTarget, workerQueueOptions, type ReportJob } from '@takedown/shared';
import { compileRuleset, contentState, scanContent, scannedModeration, shippedRules, type Rule } from '@takedown/search-rules';
import { benchEnv, round, runBench } from './bench-env';

const N = Number(process.env.TAKEDOWN_MEMORY_N || 5000);
const DOCS = Number(process.env.TAKEDOWN_MEMORY_DOCS || 6000);

type Post = ReturnType<typeof generateDemoCorpus>[number];

/** Pads a demo post's text to ~1 KB with other posts' text (as the triage and ingest benches do). */
function padded(posts: Post[]): Post[] {
  return posts.map((p, i) => {
    let text = p.text;
    while (text.length < 1000) text += ` ${posts[(i * 7 + text.length) % posts.length]!.text}`;
    return { ...p, text };
  });
}

async function main(): Promise<void> {
  const env = benchEnv('memory');
  // Keys and indices go even when a step fails: the servers are shared.
  try {
    await measureAll(env);
  } finally {
    await env.cleanup();
  }
}

async function measureAll(env: ReturnType<typeof benchEnv>): Promise<void> {
  const { redis, es, config } = env;
  const prefix = config.queuePrefix; // `{bench-memory-xxxxxx}`
  const pattern = `{${prefix.slice(1, -1)}*`;

  /** Sum of MEMORY USAGE (SAMPLES 0: every element) over this run's keys, by kind of key. */
  async function measure(ids: Set<string>): Promise<{ bytes: number; keys: number; byKind: Record<string, { keys: number; bytes: number }> }> {
    const byKind: Record<string, { keys: number; bytes: number }> = {};
    let bytes = 0;
    let keys = 0;
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 2000);
      cursor = next;
      const pipe = redis.pipeline();
      for (const k of found) pipe.memory('USAGE', k, 'SAMPLES', 0);
      const res = (await pipe.exec()) ?? [];
      found.forEach((k, i) => {
        const b = Number(res[i]?.[1] ?? 0);
        // The kind: the key with its prefix, shard number and case/job id taken out.
        const kind = k
          .replace(/^\{[^}]*\}/, '')
          .split(':')
          .map((s) => (ids.has(s) ? '<id>' : s))
          .join(':');
        (byKind[kind] ??= { keys: 0, bytes: 0 }).keys++;
        byKind[kind]!.bytes += b;
        bytes += b;
        keys++;
      });
    } while (cursor !== '0');
    return { bytes, keys, byKind };
  }
  async function usedMemory(): Promise<number> {
    const info = await redis.info('memory');
    return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
  }
  async function clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 2000);
      cursor = next;
      if (found.length > 0) await redis.del(...found);
    } while (cursor !== '0');
  }
  const fmtKinds = (byKind: Record<string, { keys: number; bytes: number }>, per: number) =>
    Object.entries(byKind)
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .map(([k, v]) => `    ${k}: ${v.keys} keys, ${(v.bytes / per).toFixed(0)} B per item`)
      .join('\n');

  // --- baseline: the empty prefix ---
  const empty = await measure(new Set());
  console.log(`empty prefix: ${empty.keys} keys, ${empty.bytes} B (baseline; must be 0)`);

  const demo = generateDemoCorpus({ count: Math.max(N, DOCS), seed: 3 });
  const variants = { demo, kb: padded(demo) } as const;
  const redisResults: Record<string, unknown> = {};
  const cases = new CaseStore(redis, moderationKeys(prefix), 600_000);

  for (const [name, posts] of Object.entries(variants)) {
    // --- open cases, one report each, folded as triage folds a first report ---
    const now = new Date();
    const reportOf = (i: number, n: number): ReportJob => {
      const p = posts[i % posts.length]!;
      return {
        reportId: `r${n}-${i}`,
        receivedAt: now.toISOString(),
        content: { id: `p${i}`, type: 'post', text: p.text, authorId: p.authorId, lang: p.lang },
        reporter: { type: 'user', id: `u${i % 97}` },
        reason: 'fraud',
      };
    };
    const ids = new Set<string>();
    const revs = new Map<number, number>();
    const used0 = await usedMemory();
    const fold = async (i: number, n: number) => {
      const report = reportOf(i, n);
      const caseId = caseIdFor(report.content.id);
      ids.add(caseId);
      const reportCount = n;
      const priority = casePriority({ category: 'fraud', reporterTypes: ['user'], reportCount, liveRuleHits: 0, autoRemoveHit: false, firstReportedAt: now, now });
      const out = await cases.fold({
        caseId,
        report,
        expectedRev: revs.get(i) ?? 0,
        fields: { id: caseId, contentId: report.content.id, lane: 'default', priority, category: 'fraud', content: report.content, reportCount, reporterTypes: ['user'], ruleHits: [], firstReportedAt: now.toISOString(), lastReportedAt: now.toISOString(), csamSignal: false },
        mode: n === 1 ? 'enqueue' : 'requeue-score',
        score: laneScore(priority, now),
        now,
        audit: { type: 'report.received', actor: `user:u${i % 97}`, at: now.toISOString(), caseId, contentId: report.content.id, data: { reportId: report.reportId, reporterType: 'user', reason: 'fraud', outcome: n === 1 ? 'enqueue' : 'requeue-score' } },
      });
      if (out.result !== 'folded') throw new Error(`fold ${n} of case ${i}: ${out.result}`);
      revs.set(i, out.rev);
    };
    for (let i = 0; i < N; i += 200) await Promise.all(Array.from({ length: Math.min(200, N - i) }, (_, k) => fold(i + k, 1)));
    const one = await measure(ids);
    const used1 = await usedMemory();
    for (let i = 0; i < N; i += 200) await Promise.all(Array.from({ length: Math.min(200, N - i) }, (_, k) => fold(i + k, 2)));
    const two = await measure(ids);
    await clear();

    // --- the same case payloads as plain strings (baseline) ---
    for (let i = 0; i < N; i += 500) {
      const pipe = redis.pipeline();
      for (let k = i; k < Math.min(N, i + 500); k++) pipe.set(`${prefix}:plain:${k}`, JSON.stringify(reportOf(k, 1)));
      await pipe.exec();
    }
    const plainCases = await measure(new Set());
    await clear();

    // --- queued reports: N jobs waiting in the `reports` queue, no worker ---
    const connection = createRedisClient(redisTarget(config.redis), workerQueueOptions('bench:memory'));
    const queue = new CatalogQueue('reports', connection, prefix);
    const jobIds = new Set<string>();
    const used2 = await usedMemory();
    for (let i = 0; i < N; i += 500) {
      const batch = Array.from({ length: Math.min(500, N - i) }, (_, k) => reportOf(i + k, 9));
      for (const r of batch) jobIds.add(r.reportId);
      await queue.queue.addBulk(batch.map((data) => ({ name: 'reports', data: jobCatalog.reports.validate(data), opts: { jobId: data.reportId } })));
    }
    const jobs = await measure(jobIds);
    const used3 = await usedMemory();
    await queue.queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
    await clear();

    const perCase = one.bytes / N;
    const perSecondReport = (two.bytes - one.bytes) / N;
    const perJob = jobs.bytes / N;
    const plain = plainCases.bytes / N;
    const textBytes = posts.slice(0, N).reduce((s, p) => s + Buffer.byteLength(p.text), 0) / N;
    console.log(`\n[${name} posts, text ${textBytes.toFixed(0)} B on average, N = ${N}]`);
    console.log(`open case with one report: ${perCase.toFixed(0)} B (${one.keys} keys); a second report adds ${perSecondReport.toFixed(0)} B; plain JSON string of the report: ${plain.toFixed(0)} B; case/plain ${(perCase / plain).toFixed(2)}×`);
    console.log(fmtKinds(one.byKind, N));
    console.log(`queued report job: ${perJob.toFixed(0)} B (${jobs.keys} keys); job/plain ${(perJob / plain).toFixed(2)}×`);
    console.log(fmtKinds(jobs.byKind, N));
    console.log(`INFO used_memory deltas (shared server, noisy): cases ${((used1 - used0) / N).toFixed(0)} B each, jobs ${((used3 - used2) / N).toFixed(0)} B each`);
    redisResults[name] = {
      textBytes: round(textBytes, 0),
      caseBytes: round(perCase, 0),
      secondReportBytes: round(perSecondReport, 0),
      jobBytes: round(perJob, 0),
      plainBytes: round(plain, 0),
      ratios: { casePerPlain: round(perCase / plain), jobPerPlain: round(perJob / plain) },
      usedMemoryDelta: { case: round((used1 - used0) / N, 0), job: round((used3 - used2) / N, 0) },
      caseKinds: Object.fromEntries(Object.entries(one.byKind).map(([k, v]) => [k, round(v.bytes / N, 0)])),
      jobKinds: Object.fromEntries(Object.entries(jobs.byKind).map(([k, v]) => [k, round(v.bytes / N, 0)])),
    };
  }

  // --- Elasticsearch: store bytes per document, with and without moderation fields ---
  const at = new Date().toISOString();
  const compiled = compileRuleset({ version: 1, rules: shippedRules(at), publishedAt: at, publishedBy: 'bench' }, { trusted: true });
  const esResults: Record<string, unknown> = {};
  for (const [name, posts] of Object.entries(variants)) {
    const sized = posts.slice(0, DOCS).map(({ kind: _kind, ...doc }) => doc);
    const sizes: Record<string, number> = {};
    for (const withModeration of [false, true]) {
      const index = `${config.indexPrefix}-${name}-${withModeration ? 'stored' : 'plain'}`;
      await ensureContentIndex(es, index, 0);
      for (let i = 0; i < sized.length; i += 1000) {
        const operations = sized.slice(i, i + 1000).flatMap((post) => {
          const scan = scanContent(compiled, { text: post.text, lang: post.lang });
          const moderation = scannedModeration(undefined, scan, contentState(scan.ruleHits.map((id) => compiled.byId.get(id) as Rule)), 1, at);
          return [{ index: { _index: index, _id: post.id } }, withModeration ? { ...post, moderation } : post];
        });
        const r = await es.bulk({ operations });
        if (r.errors) throw new Error(`bulk into ${index} failed`);
      }
      await es.indices.refresh({ index });
      await es.indices.forcemerge({ index, max_num_segments: 1 });
      const stats = await es.indices.stats({ index, metric: ['store', 'docs'] });
      const s = stats.indices?.[index]?.primaries;
      sizes[withModeration ? 'stored' : 'plain'] = (s?.store?.size_in_bytes ?? 0) / (s?.docs?.count || 1);
    }
    const source = sized.reduce((s, p) => s + Buffer.byteLength(JSON.stringify(p)), 0) / sized.length;
    console.log(`\n[Elasticsearch, ${name} posts, ${sized.length} docs, force-merged to one segment]`);
    console.log(`store per doc: ${sizes['stored']!.toFixed(0)} B as ingest stores them (moderation.*), ${sizes['plain']!.toFixed(0)} B without (baseline): ${(sizes['stored']! / sizes['plain']!).toFixed(2)}×; source JSON ${source.toFixed(0)} B`);
    esResults[name] = { docs: sized.length, sourceBytes: round(source, 0), storedBytes: round(sizes['stored']!, 0), plainBytes: round(sizes['plain']!, 0), ratio: round(sizes['stored']! / sizes['plain']!) };
  }

  console.log(JSON.stringify({ bench: 'memory', n: N, docs: DOCS, emptyPrefixBytes: empty.bytes, redis: redisResults, elasticsearch: esResults }));
}

runBench(main);
