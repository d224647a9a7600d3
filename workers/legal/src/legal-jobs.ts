import { UnrecoverableError } from 'bullmq';
import type { LegalMetrics } from './legal-metrics';
import {
  PRESERVATION_DAYS,
  produceDisclosurePackage,
  producedAccounts,
  type LegalKeys,
  type SubscriberSource,
  appendLegalAudit,
  nextNoticeRelease,
  noticesForPackage,
  releaseNotices,
  transition,
  workflowViewOf,
  type CatalogQueue,
  type LegalActor,
  type LegalRequestRecord,
  type LegalStore,
  type Logger,
  type ModerationKeys,
  type RedisClient,
} from '@takedown/shared';

/**
 * What the legal worker does with each job. Everything is read from the
 * request store, where it is durable; every step is idempotent (a retried
 * or re-enqueued job finds the request moved on and does nothing, or does
 * the same thing again under the same ids).
 */

/** A package built for a request: what to store (already encrypted) and what it holds. */
export interface BuiltPackage {
  /** Ciphertext to store (AES-256-GCM, the request id as associated data). */
  data: Buffer;
  /** What the stored blob is, beside it: no secret. */
  sealed: Record<string, unknown>;
  /** SHA-256 (hex) of the manifest bytes the signature covers. */
  manifestSha256: string;
  /** SHA-256 (hex) of the package file the agency downloads. */
  sha256: string;
  counts: { accounts: number; ipAddresses: number; phoneNumbers: number };
  /** The accounts whose data the package holds (one user notice each). */
  produced: { targetIndex: number; accountId: string }[];
}

/**
 * Builds the signed, encrypted package of an approved request through the
 * subscriber source: only the accounts of the targets decided `produce` ×
 * the data types requested × the effective period (from inclusive, to
 * exclusive). `produceDisclosurePackage` checks every record against that
 * scope once more.
 */
export async function buildPackage(source: SubscriberSource, keys: LegalKeys, r: LegalRequestRecord): Promise<BuiltPackage> {
  const produced = producedAccounts(r);
  if (produced.length === 0) throw new UnrecoverableError('no account of this request is decided produce');
  const period = r.effectivePeriod ?? r.period;
  const out = await produceDisclosurePackage(
    source,
    {
      packageId: r.id,
      requestId: r.id,
      // The approval's time: a retried job writes the same manifest time.
      createdAt: r.times.approvedAt ?? r.updatedAt,
      scope: { accountIds: produced.map((p) => p.accountId).sort(), dataTypes: [...r.dataRequested], period },
    },
    keys,
  );
  const records = (name: string) => out.manifest.files.find((f) => f.name === name)?.records ?? 0;
  return {
    data: out.encrypted,
    sealed: { format: 'TDE1', cipher: 'aes-256-gcm', aad: 'package id', packageBytes: out.bytes, signingKeyId: out.manifest.signingKeyId },
    manifestSha256: out.manifestSha256,
    sha256: out.sha256,
    counts: { accounts: produced.length, ipAddresses: records('ip-addresses.json'), phoneNumbers: records('phone-numbers.json') },
    produced,
  };
}

export interface LegalWorkerDeps {
  store: LegalStore;
  redis: RedisClient;
  keys: Pick<ModerationKeys, 'audit'>;
  logger: Logger;
  packages: CatalogQueue<'legal-package'>;
  preservations: CatalogQueue<'legal-preserve'>;
  notices: CatalogQueue<'legal-notice'>;
  packageRetentionDays: number;
  /** The platform's subscriber data (packages and preservations read it). */
  source?: SubscriberSource;
  /** Signing and encryption keys of packages. */
  packageKeys?: LegalKeys;
  now?: () => Date;
  /** The legal desk's SLA figures (the legal worker's process registry). */
  metrics?: LegalMetrics;
}

const DAY = 86400_000;
const SYSTEM: LegalActor = { kind: 'system', id: 'system' };
const nowOf = (d: LegalWorkerDeps) => (d.now ? d.now() : new Date());

/** legal-package: build, store encrypted, record the manifest hash, move the request to package_produced, owe the notices. */
export async function producePackage(deps: LegalWorkerDeps, requestId: string): Promise<'produced' | 'skipped'> {
  const current = await deps.store.get(requestId);
  if (!current) return 'skipped';
  const r = current.record;
  if (r.state !== 'approved' || r.type === 'preservation') return 'skipped';
  if (!deps.source || !deps.packageKeys) throw new Error('the legal worker has no subscriber source or package keys');
  const built = await buildPackage(deps.source, deps.packageKeys, r);
  const now = nowOf(deps);
  const at = now.toISOString();
  const expiresAt = new Date(now.getTime() + deps.packageRetentionDays * DAY).toISOString();
  await deps.store.putPackage(requestId, { manifestSha256: built.manifestSha256, sealed: built.sealed, data: built.data, createdAt: at, expiresAt });
  const saved = await deps.store.mutate(requestId, (rec) => {
    if (rec.state !== 'approved') return undefined;
    const result = transition(workflowViewOf(rec), { kind: 'package_produced' }, SYSTEM, at);
    return {
      ...rec,
      state: result.state,
      times: { ...rec.times, packageProducedAt: at },
      package: { id: requestId, manifestSha256: built.manifestSha256, sha256: built.sha256, builtAt: at, expiresAt, counts: built.counts, downloads: 0 },
      notices: noticesForPackage(rec, built.produced, now),
      history: [...rec.history, { event: 'package_produced', by: 'system', at, from: rec.state, to: result.state }],
      updatedAt: at,
    };
  });
  if (!saved) {
    // Withdrawn while it was being built: nothing is kept.
    await deps.store.deletePackage(requestId);
    return 'skipped';
  }
  deps.metrics?.packageProduced(saved.times.receivedAt, now);
  await scheduleNoticeRelease(deps, saved, now);
  await appendLegalAudit(deps, {
    type: 'legal.package.produced',
    actor: 'system',
    at,
    data: { requestId, manifestSha256: built.manifestSha256, sha256: built.sha256, counts: built.counts, produced: [...new Set(built.produced.map((p) => p.targetIndex))], expiresAt },
  });
  return 'produced';
}

/** A delayed job at the gag order's end; the sweeper releases lapsed holds too, should the job be lost. */
export async function scheduleNoticeRelease(deps: Pick<LegalWorkerDeps, 'notices'>, r: LegalRequestRecord, now: Date): Promise<void> {
  const when = nextNoticeRelease(r);
  if (!when) return;
  const at = Date.parse(when);
  await deps.notices.add({ requestId: r.id }, { jobId: `notice-${r.id}-${at}`, delay: Math.max(0, at - now.getTime()) });
}

/** legal-notice: notices whose holds have lapsed become due. */
export async function releaseDueNotices(deps: LegalWorkerDeps, requestId: string): Promise<number> {
  const now = nowOf(deps);
  const at = now.toISOString();
  let released = 0;
  const saved = await deps.store.mutate(requestId, (rec) => {
    const next = releaseNotices(rec, now);
    if (!next) return undefined;
    released = next.filter((n) => n.state === 'due').length - rec.notices.filter((n) => n.state === 'due').length;
    return { ...rec, notices: next, history: [...rec.history, { event: 'notices_due', by: 'system', at, note: `${released} notice(s) due` }], updatedAt: at };
  });
  if (saved && released > 0) {
    await appendLegalAudit(deps, { type: 'legal.notice.due', actor: 'system', at, data: { requestId, notices: saved.notices.filter((n) => n.state === 'due').map((n) => n.id) } });
  }
  return released;
}

/** legal-preserve: copy the approved targets' sign-ins for the period into the preservation store, for 90 days. Discloses nothing. */
export async function preserve(deps: LegalWorkerDeps, requestId: string): Promise<'preserved' | 'skipped'> {
  const current = await deps.store.get(requestId);
  if (!current) return 'skipped';
  const r = current.record;
  if (r.state !== 'approved' || r.type !== 'preservation' || r.preservation) return 'skipped';
  if (!deps.source) throw new Error('the legal worker has no subscriber source');
  const now = nowOf(deps);
  const at = now.toISOString();
  const period = r.effectivePeriod ?? r.period;
  const accounts = producedAccounts(r);
  const targetOf = new Map(accounts.map((a) => [a.accountId, a.targetIndex]));
  let count = 0;
  if (accounts.length > 0) {
    for await (const page of deps.source.signIns(accounts.map((a) => a.accountId).sort(), period, { pageSize: 1000 })) {
      // Ids follow the source's order (account, time, address): a retried job writes the same documents again.
      await deps.store.preserveSignIns(page.map((s) => ({ id: `${requestId}.${count++}`, requestId, targetIndex: targetOf.get(s.accountId) as number, accountId: s.accountId, ip: s.ip, at: s.at, preservedAt: at })));
    }
  }
  const expiresAt = new Date(now.getTime() + PRESERVATION_DAYS * DAY).toISOString();
  const saved = await deps.store.mutate(requestId, (rec) => {
    if (rec.state !== 'approved' || rec.preservation) return undefined;
    return {
      ...rec,
      preservation: { preservedAt: at, expiresAt, signIns: count, accounts: accounts.length },
      history: [...rec.history, { event: 'preserved', by: 'system', at, note: `${count} sign-in(s) of ${accounts.length} account(s)` }],
      updatedAt: at,
    };
  });
  if (!saved) {
    await deps.store.deletePreserved(requestId);
    return 'skipped';
  }
  await appendLegalAudit(deps, { type: 'legal.preservation.preserved', actor: 'system', at, data: { requestId, targets: [...new Set(accounts.map((a) => a.targetIndex))], signIns: count, expiresAt } });
  return 'preserved';
}
