import type { Client } from '@elastic/elasticsearch';
import { ensureSubscriberIndices, type SubscriberIndexNames } from '../legal/subscriber-indices';
import { demoAuthorCount } from './demo-corpus';
import { generateDemoAccounts, generateDemoSignIns } from './demo-subscribers';

export interface SeedSubscribersOptions {
  /** Size of the demo corpus: every one of its authors gets an account. */
  posts: number;
  replicas: number;
  now?: Date;
  /** At least 2,000. */
  accounts?: number;
  signIns?: number;
  seed?: number;
}

export interface SeedSubscribersResult {
  accounts: number;
  signIns: number;
  countries: number;
  skipped: boolean;
}

export const DEMO_ACCOUNTS = 2000;
export const DEMO_SIGNINS = 60_000;
const BATCH = 10_000;

/**
 * Fills the subscriber indices with demo data, straight into Elasticsearch
 * with bulk requests, as the platform (not Takedown) fills them. Idempotent:
 * ids are stable, and indices already holding the demo's counts are left
 * alone. Never for production: the caller checks (start.mjs skips it there).
 */
export async function seedDemoSubscribers(es: Client, names: SubscriberIndexNames, opts: SeedSubscribersOptions): Promise<SeedSubscribersResult> {
  const accountCount = Math.max(opts.accounts ?? DEMO_ACCOUNTS, demoAuthorCount(opts.posts));
  const signInCount = opts.signIns ?? DEMO_SIGNINS;
  const gen = { accounts: accountCount, signIns: signInCount, now: opts.now ?? new Date(), ...(opts.seed !== undefined ? { seed: opts.seed } : {}) };
  await ensureSubscriberIndices(es, names, opts.replicas);
  const accounts = generateDemoAccounts(gen);
  const countries = new Set(accounts.map((a) => a.phoneCountry)).size;
  const [a, s] = await Promise.all([es.count({ index: names.accounts }), es.count({ index: names.signIns })]);
  if (a.count >= accountCount && s.count >= signInCount) return { accounts: a.count, signIns: s.count, countries, skipped: true };

  const batches: object[][] = [];
  let ops: object[] = [];
  const flush = () => {
    if (ops.length > 0) batches.push(ops);
    ops = [];
  };
  for (const acc of accounts) {
    ops.push({ index: { _index: names.accounts, _id: acc.accountId } }, acc);
    if (ops.length >= BATCH * 2) flush();
  }
  flush();
  for (const { id, ...doc } of generateDemoSignIns(accounts, gen)) {
    ops.push({ index: { _index: names.signIns, _id: id } }, doc);
    if (ops.length >= BATCH * 2) flush();
  }
  flush();
  // Two bulk requests in flight: Elasticsearch works on one while the next is sent.
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < batches.length; i = next++) {
      const res = await es.bulk({ operations: batches[i] as object[] }, { requestTimeout: 120_000 });
      if (res.errors) {
        const first = res.items.find((it) => it.index?.error)?.index?.error;
        throw new Error(`demo subscriber seeding failed: ${first?.type ?? 'unknown'}`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  await es.indices.refresh({ index: [names.accounts, names.signIns] });
  return { accounts: accountCount, signIns: signInCount, countries, skipped: false };
}
