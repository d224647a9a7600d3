import { createHash } from 'node:crypto';
import type { Category } from '../domain/vocabulary';
import { SYSTEM_FILER, type ReportJob } from '../jobs/payloads';
import type { PlatformContent } from '../indices/content-reader';
import { mostSevere } from './priority';

/**
 * The automated report a content scan files when a post hits rules that
 * want a human (flag_for_review, auto_remove): at ingest, and when a
 * backfill tags posts already stored, and when the upload gate refuses
 * media on a hash list (the upload as a `media` item). Its id is derived from the content id
 * and the rule ids, so writing the same post again files nothing new, while
 * a post edited to hit another rule is reported again (new evidence).
 * Its copy of the post is the one just scanned (the platform's own), so
 * triage takes it as the platform's without reading the index again.
 */
export function scanReport(
  content: PlatformContent,
  rules: readonly { id: string; category: Category }[],
  version: number,
  at: string,
  where: 'ingest' | 'backfill' | 'upload',
  /** For a post a moderator kept and that changed since: the changed text's digest, so each new version is reported once. */
  revision?: string,
): ReportJob {
  const ruleIds = [...new Set(rules.map((r) => r.id))].sort().slice(0, 100);
  const digest = createHash('sha256').update(content.id).update('\u0000').update(ruleIds.join('\u0000')).update(revision ? `\u0000${revision}` : '').digest('hex').slice(0, 32);
  const reason = mostSevere(rules.map((r) => r.category), rules[0]?.category ?? 'other');
  return {
    // "scan." + hex: never a client's id (those carry a token id), never a ":" (BullMQ job ids).
    reportId: `scan.${digest}`,
    receivedAt: at,
    content,
    reporter: { type: 'automated', id: `takedown-${where}` },
    filedBy: SYSTEM_FILER,
    ruleIds,
    reason,
    note: `content rules ${ruleIds.join(', ').slice(0, 1500)} matched at ${where} (ruleset v${version})`,
  };
}
