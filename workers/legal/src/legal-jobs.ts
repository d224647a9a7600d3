import {
  PRESERVATION_DAYS,
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
  type Redis,
} from '@takedown/shared';

/**
 * What the legal worker does with each job. Everything is read from the
 * request store, where it is durable; every step is idempotent (a retried
 * or re-enqueued job finds the request moved on and does nothing, or does
 * the same thing again under the same ids).
 */

/** A package built for a request: what to store (already encrypted) and what it holds. */
export interface BuiltPackage {
  /** Ciphertext to store. */
  data: Buffer;
  /** How to open it with the key (algorithm, iv, tag, key id…): stored beside it, no secret. */
  sealed: Record<string, unknown>;
  /** SHA-256 (hex) of the signed manifest. */
  manifestSha256: string;
  counts: { accounts: number; ipAddresses: number; phoneNumbers: number };
  /** The targets whose data the package holds (one user notice each). */
  produced: { targetIndex: number; accountId?: string }[];
}

/**
 * Builds the signed package of an approved request: only the targets
 * decided `produce` × the data types requested × the effective period.
 */
export interface PackageBuilder {
  build(r: LegalRequestRecord): Promise<BuiltPackage>;
}

/** The platform's sign-ins of one account within a period (what preservation copies). */
export interface SignInReader {
  signIns(accountId: string, period: { from: string; to: string }): AsyncIterable<{ ip: string; at: string }>;
}

export interface LegalWorkerDeps {
  store: LegalStore;
  redis: Redis;
  keys: Pick<ModerationKeys, 'audit'>;
  logger: Logger;
  packages: CatalogQueue<'legal-package'>;
  preservations: CatalogQueue<'legal-preserve'>;
  notices: CatalogQueue<'legal-notice'>;
  packageRetentionDays: number;
  builder?: PackageBuilder;
  signIns?: SignInReader;
  now?: () => Date;
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
  if (!deps.builder) throw new Error('no package builder is configured (the legal worker needs the package signing and encryption keys)');
  const built = await deps.builder.build(r);
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
      package: { id: requestId, manifestSha256: built.manifestSha256, builtAt: at, expiresAt, counts: built.counts, downloads: 0 },
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
  await scheduleNoticeRelease(deps, saved, now);
  await appendLegalAudit(deps, {
    type: 'legal.package.produced',
    actor: 'system',
    at,
    data: { requestId, manifestSha256: built.manifestSha256, counts: built.counts, produced: built.produced.map((p) => p.targetIndex), expiresAt },
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
  if (!deps.signIns) throw new Error('no sign-in source is configured');
  const now = nowOf(deps);
  const at = now.toISOString();
  const period = r.effectivePeriod ?? r.period;
  const targets = r.targets.filter((t) => t.decision?.produce && accountOf(t));
  let count = 0;
  for (const t of targets) {
    const accountId = accountOf(t) as string;
    let batch: Parameters<LegalStore['preserveSignIns']>[0][number][] = [];
    let n = 0;
    for await (const s of deps.signIns.signIns(accountId, period)) {
      batch.push({ id: `${requestId}.${t.index}.${n++}`, requestId, targetIndex: t.index, accountId, ip: s.ip, at: s.at, preservedAt: at });
      if (batch.length >= 1000) {
        await deps.store.preserveSignIns(batch);
        batch = [];
      }
    }
    await deps.store.preserveSignIns(batch);
    count += n;
  }
  const expiresAt = new Date(now.getTime() + PRESERVATION_DAYS * DAY).toISOString();
  const saved = await deps.store.mutate(requestId, (rec) => {
    if (rec.state !== 'approved' || rec.preservation) return undefined;
    return {
      ...rec,
      preservation: { preservedAt: at, expiresAt, signIns: count, accounts: targets.length },
      history: [...rec.history, { event: 'preserved', by: 'system', at, note: `${count} sign-in(s) of ${targets.length} account(s)` }],
      updatedAt: at,
    };
  });
  if (!saved) {
    await deps.store.deletePreserved(requestId);
    return 'skipped';
  }
  await appendLegalAudit(deps, { type: 'legal.preservation.preserved', actor: 'system', at, data: { requestId, targets: targets.map((t) => t.index), signIns: count, expiresAt } });
  return 'preserved';
}

/** The account a target names: as the subscriber data source resolved it (an account id names itself). */
export function accountOf(t: LegalRequestRecord['targets'][number]): string | undefined {
  if (t.resolution) return t.resolution.resolved ? t.resolution.accountId : undefined;
  return t.kind === 'account_id' ? t.value : undefined;
}
