// npm run bench -- legal-package      (needs-servers: real Elasticsearch)
// A disclosure package for 50 targets over a year, with 1,000,000 sign-ins
// in the index, through the SubscriberSource: sign-ins + phone numbers →
// JSON + CSV + manifest + Ed25519 signature + AES-256-GCM encryption,
// beside a bare Elasticsearch query fetching the same sign-ins in the same
// run (a point in time paged with search_after, the hits' _source taken as
// they come, nothing done with them): the ratio; and beside the same lean
// request the source sends, hits untouched: what the package itself costs
// (files, hashes, signature, encryption) over the fastest fetch there is.
// Rounds rotate which side goes first; medians are compared. Also
// prints the source's fetch alone (pages of sign-ins, no files), to tell
// the adapter's cost from the package's.
//
// The data lives in bench-only indices (bench-legal-*), kept between runs:
// seeding a million sign-ins takes a minute, so a run reuses them when they
// hold this generator's data. Ends with one JSON line.
import type { estypes } from '@elastic/elasticsearch';
import {
  ElasticsearchSubscriberSource,
  accountsIndexDefinition,
  createElasticsearch,
  createRng,
  generateEncryptionKey,
  generateSigningKey,
  loadConfig,
  parseEncryptionKey,
  produceDisclosurePackage,
  signInsIndexDefinition,
  type ElasticsearchClient,
} from '@takedown/shared';
import { median, round, runBench } from './bench-env';

const ACCOUNTS = 'bench-legal-accounts';
const SIGNINS = 'bench-legal-signins';
/** Bump when the generator changes: indices holding another dataset are rebuilt. */
const DATASET = 'legal-package/1';
const TARGETS = 50;
/** Sign-ins per target over the two years: a daily user, a few times a day (about 2,000 in the year asked for). */
const PER_TARGET = 4_000;
const OTHERS = 20_000;
const PER_OTHER = 40;
const TOTAL = TARGETS * PER_TARGET + OTHERS * PER_OTHER;
const END = Date.parse('2026-12-01T00:00:00Z');
const DAY = 86_400_000;
const PERIOD = { from: new Date(END - 365 * DAY).toISOString(), to: new Date(END).toISOString() };
const ROUNDS = 5;

const targetId = (i: number) => `target-${String(i).padStart(2, '0')}`;
const otherId = (i: number) => `acct-${String(i).padStart(5, '0')}`;

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  const es = createElasticsearch(config.elasticsearch, { requestTimeout: 300_000 });
  try {
    await ensureDataset(es);
    const targets = Array.from({ length: TARGETS }, (_, i) => targetId(i));
    const source = new ElasticsearchSubscriberSource(es, { accountsIndex: ACCOUNTS, signInsIndex: SIGNINS, contentIndex: 'bench-legal-none', timeoutMs: 60_000 });
    const keys = { signingKey: generateSigningKey(), encryptionKey: parseEncryptionKey(generateEncryptionKey()) };
    const scope = { accountIds: targets, dataTypes: ['ip_addresses' as const, 'phone_number' as const], period: PERIOD };

    const sides: Record<string, () => Promise<{ rows: number; bytes?: number }>> = {
      bare: () => bareQuery(es, targets, { sort: ['_shard_doc'] }),
      // The request the source sends (sort values as the data, nothing loaded per hit), hits untouched.
      bareSorted: () =>
        bareQuery(es, targets, {
          sort: [{ accountId: 'asc' }, { at: { order: 'asc', format: 'strict_date_time' } }, { ip: 'asc' }],
          _source: false,
          stored_fields: ['_none_'],
          filter_path: ['pit_id', 'hits.hits.sort'],
        }),
      source: async () => {
        let rows = 0;
        for await (const page of source.signIns(targets, PERIOD)) rows += page.length;
        return { rows };
      },
      package: async () => {
        const p = await produceDisclosurePackage(source, { packageId: 'pkg_bench', requestId: 'lr_bench', createdAt: new Date(END).toISOString(), scope }, keys);
        return { rows: p.manifest.files.find((f) => f.name === 'ip-addresses.json')?.records ?? 0, bytes: p.bytes };
      },
    };
    // Warm-up: caches, JIT, Elasticsearch's doc values in the page cache.
    const counts: Record<string, number> = {};
    for (const [name, run] of Object.entries(sides)) counts[name] = (await run()).rows;
    if (new Set(Object.values(counts)).size !== 1) throw new Error(`the sides fetched different sign-ins: ${JSON.stringify(counts)}`);
    const rows = counts['bare'] ?? 0;

    const times: Record<string, number[]> = Object.fromEntries(Object.keys(sides).map((n) => [n, []]));
    let packageBytes = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const order = Object.keys(sides);
      // Rotate which side goes first, so none always runs on a cold or warm cache.
      for (let k = 0; k < r % order.length; k++) order.push(order.shift() as string);
      for (const name of order) {
        global.gc?.();
        const t0 = performance.now();
        const out = await (sides[name] as () => Promise<{ rows: number; bytes?: number }>)();
        (times[name] as number[]).push(performance.now() - t0);
        if (out.bytes) packageBytes = out.bytes;
      }
      console.log(`round ${r + 1}: ${Object.entries(times).map(([n, t]) => `${n} ${round(t[t.length - 1] as number, 0)} ms`).join(', ')}`);
    }
    const med = (n: string) => median(times[n] as number[]);
    // Two ratios: against the plain query anyone would write, and against the source's own lean request
    // with the hits untouched (the package's own cost, however fast the fetch).
    const ratio = med('package') / med('bare');
    const ratioLean = med('package') / med('bareSorted');
    console.log(
      [
        '',
        `${TOTAL.toLocaleString('en')} sign-ins in the index; a package for ${TARGETS} targets over a year: ${rows.toLocaleString('en')} sign-ins + ${TARGETS} phone numbers, ${(packageBytes / 1e6).toFixed(1)} MB (JSON + CSV of each, base64 in the envelope)`,
        `  bare query, plain (PIT + search_after, _source):              median ${round(med('bare'), 0)} ms  (${Math.round(rows / (med('bare') / 1000)).toLocaleString('en')} sign-ins/s)`,
        `  bare query, the source's request (sort values, filter_path): median ${round(med('bareSorted'), 0)} ms`,
        `  SubscriberSource.signIns alone:                              median ${round(med('source'), 0)} ms  (${round(med('source') / med('bareSorted'))}× the same request bare)`,
        `  whole package (fetch, files, manifest, sign, encrypt):       median ${round(med('package'), 0)} ms`,
        `  ratio: ${round(ratio)}× the plain bare query (target ≤ 1.5×); ${round(ratioLean)}× the source's request bare`,
        '',
      ].join('\n'),
    );
    console.log(JSON.stringify({ bench: 'legal-package', signInsInIndex: TOTAL, targets: TARGETS, packageSignIns: rows, packageBytes, rounds: ROUNDS, bareMs: round(med('bare'), 1), bareSortedMs: round(med('bareSorted'), 1), sourceMs: round(med('source'), 1), packageMs: round(med('package'), 1), ratio: round(ratio), ratioLean: round(ratioLean), target: 1.5 }));
  } finally {
    await es.close();
  }
}

/** A baseline: the same sign-ins fetched with the plain client, one page after the other, nothing done with them. */
async function bareQuery(es: ElasticsearchClient, targets: string[], shape: Partial<estypes.SearchRequest>): Promise<{ rows: number }> {
  let pit = (await es.openPointInTime({ index: SIGNINS, keep_alive: '1m' })).id;
  let rows = 0;
  try {
    let after: estypes.SortResults | undefined;
    for (;;) {
      const res = await es.search({
        pit: { id: pit, keep_alive: '1m' },
        query: { bool: { filter: [{ terms: { accountId: targets } }, { range: { at: { gte: PERIOD.from, lt: PERIOD.to } } }] } },
        ...shape,
        size: 10_000,
        track_total_hits: false,
        ...(after ? { search_after: after } : {}),
      });
      pit = res.pit_id ?? pit;
      const hits = res.hits?.hits ?? [];
      rows += hits.length;
      const last = hits[hits.length - 1];
      if (hits.length < 10_000 || !last?.sort) return { rows };
      after = last.sort;
    }
  } finally {
    await es.closePointInTime({ id: pit }).catch(() => undefined);
  }
}

/** Seeds the bench indices unless they already hold this dataset. */
async function ensureDataset(es: ElasticsearchClient): Promise<void> {
  const meta = await es.indices.getMapping({ index: SIGNINS }).catch(() => undefined);
  const current = meta?.[SIGNINS]?.mappings?._meta as { dataset?: string } | undefined;
  if (current?.dataset === DATASET && (await es.count({ index: SIGNINS })).count === TOTAL && (await es.indices.exists({ index: ACCOUNTS }))) {
    console.log(`reusing ${SIGNINS} (${TOTAL.toLocaleString('en')} sign-ins) and ${ACCOUNTS}`);
    return;
  }
  const t0 = performance.now();
  for (const index of [ACCOUNTS, SIGNINS]) if (await es.indices.exists({ index })) await es.indices.delete({ index });
  const accounts = accountsIndexDefinition(0);
  const signIns = signInsIndexDefinition(0);
  await es.indices.create({ index: ACCOUNTS, settings: accounts.settings, mappings: accounts.mappings });
  // No refreshes while loading; _meta is set last, so an interrupted load is never taken for a whole one.
  await es.indices.create({ index: SIGNINS, settings: { ...signIns.settings, refresh_interval: '-1' }, mappings: signIns.mappings });

  const rng = createRng(14);
  const ids = [...Array.from({ length: TARGETS }, (_, i) => targetId(i)), ...Array.from({ length: OTHERS }, (_, i) => otherId(i))];
  await bulk(es, function* () {
    for (const [i, accountId] of ids.entries()) {
      const phone = `+4915${String(100_000_000 + i).padStart(9, '0')}`;
      yield [{ index: { _index: ACCOUNTS, _id: accountId } }, { accountId, username: `bench${i}`, phone, phoneCountry: 'DE', createdAt: '2020-01-01T00:00:00Z' }];
    }
  });
  await bulk(es, function* () {
    for (const [i, accountId] of ids.entries()) {
      const n = i < TARGETS ? PER_TARGET : PER_OTHER;
      const home = `198.18.${i & 255}.${(i >> 8) & 255}`;
      const v6 = `2001:db8:${(i & 0xffff).toString(16)}::`;
      for (let k = 0; k < n; k++) {
        const r = rng();
        const ip = r < 0.6 ? home : r < 0.85 ? `${v6}${Math.floor(rng() * 65535).toString(16)}` : `198.19.${Math.floor(rng() * 256)}.${1 + Math.floor(rng() * 254)}`;
        yield [{ create: { _index: SIGNINS } }, { accountId, ip, at: new Date(END - 1 - Math.floor(rng() * 730 * DAY)).toISOString() }];
      }
    }
  });
  await es.indices.putSettings({ index: SIGNINS, settings: { refresh_interval: '1s' } });
  await es.indices.refresh({ index: [ACCOUNTS, SIGNINS] });
  await es.indices.forcemerge({ index: SIGNINS, max_num_segments: 1 });
  await es.indices.putMapping({ index: SIGNINS, _meta: { dataset: DATASET } });
  const count = (await es.count({ index: SIGNINS })).count;
  if (count !== TOTAL) throw new Error(`seeded ${count} sign-ins, expected ${TOTAL}`);
  console.log(`seeded ${TOTAL.toLocaleString('en')} sign-ins and ${ids.length.toLocaleString('en')} accounts in ${round((performance.now() - t0) / 1000, 1)} s (kept for later runs)`);
}

/** Bulk requests of 20,000 documents, three in flight. */
async function bulk(es: ElasticsearchClient, docs: () => Generator<[object, object]>): Promise<void> {
  const gen = docs();
  let done = false;
  const next = (): object[] | undefined => {
    const ops: object[] = [];
    while (!done && ops.length < 40_000) {
      const d = gen.next();
      if (d.done) done = true;
      else ops.push(...d.value);
    }
    return ops.length > 0 ? ops : undefined;
  };
  const worker = async () => {
    for (let ops = next(); ops; ops = next()) {
      const res = await es.bulk({ operations: ops });
      if (res.errors) throw new Error(`bulk failed: ${JSON.stringify(res.items.find((it) => Object.values(it)[0]?.error))}`);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}

runBench(main);
