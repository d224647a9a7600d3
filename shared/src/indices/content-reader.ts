import type { Client } from '@elastic/elasticsearch';
import { CONTENT_TYPES, type ContentType } from '../domain/vocabulary';
import { UnavailableError } from '../errors/takedown-error';
import { MAX_REPORT_TEXT, type ReportJob } from '../jobs/payloads';
import type { ContentDocument } from './content-index';
import { scanFieldsOf } from './scan-fields';

/** A post as the platform's content index holds it, in the shape cases carry. */
export type PlatformContent = ReportJob['content'];

interface Waiter {
  resolve: (c: PlatformContent | undefined) => void;
  reject: (err: unknown) => void;
}

/**
 * Reads posts from the platform's content index: the source of truth for
 * what a post says (a report's copy is only the reporter's evidence).
 * Real-time reads by id, so a post written a moment ago is found.
 *
 * Reads are batched: a read made while `maxInFlight` multi-gets are out
 * waits for the next one, so an idle reader answers in one round trip and
 * a busy one (a triage worker with dozens of reports in hand) asks
 * Elasticsearch for many posts at once. A multi-get of 50 costs a tenth of
 * 50 gets per post (measured here).
 */
export class ContentReader {
  private queued = new Map<string, Waiter[]>();
  private inFlight = 0;

  constructor(
    private readonly es: Client,
    private readonly index: string,
    /** Per multi-get; a hung Elasticsearch fails the jobs (retried with backoff), never blocks them. */
    private readonly timeoutMs = 5000,
    private readonly maxInFlight = 2,
    private readonly maxBatch = 200,
  ) {}

  /** The post, or undefined when the index has none (or only a placeholder carrying a decision). */
  get(contentId: string): Promise<PlatformContent | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.queued.get(contentId);
      if (waiters) waiters.push({ resolve, reject });
      else this.queued.set(contentId, [{ resolve, reject }]);
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queued.size > 0) {
      const batch = new Map<string, Waiter[]>();
      for (const [id, waiters] of this.queued) {
        if (batch.size >= this.maxBatch) break;
        batch.set(id, waiters);
      }
      for (const id of batch.keys()) this.queued.delete(id);
      this.inFlight++;
      void this.read(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async read(batch: Map<string, Waiter[]>): Promise<void> {
    const settle = (id: string, fn: (w: Waiter) => void) => (batch.get(id) ?? []).forEach(fn);
    let res;
    try {
      res = await this.es.mget<ContentDocument>(
        { index: this.index, ids: [...batch.keys()], _source_excludes: ['moderation.normalizedText'], realtime: true },
        { ignore: [404], requestTimeout: this.timeoutMs, maxRetries: 1 },
      );
    } catch (err) {
      const failure = new UnavailableError('the content index is unavailable', 'content_unavailable', { cause: err });
      for (const id of batch.keys()) settle(id, (w) => w.reject(failure));
      return;
    }
    const seen = new Set<string>();
    for (const d of res.docs ?? []) {
      const id = d._id;
      seen.add(id);
      if ('error' in d) {
        // A missing index holds no posts; any other error is an outage.
        const missing = d.error?.type === 'index_not_found_exception';
        settle(id, (w) => (missing ? w.resolve(undefined) : w.reject(new UnavailableError('the content index is unavailable', 'content_unavailable'))));
        continue;
      }
      const doc = d.found ? d._source : undefined;
      const content = !doc || doc.moderation?.placeholder ? undefined : platformContent(id, doc);
      settle(id, (w) => w.resolve(content));
    }
    // A missing index can answer a multi-get with no documents at all.
    for (const id of batch.keys()) if (!seen.has(id)) settle(id, (w) => w.resolve(undefined));
  }
}

/**
 * The fields a case shows, from a content document, always valid as a
 * report's content (an automated report carries it): ids outside the
 * report schema's bounds are dropped (the author falls back to "unknown"),
 * the text is cut at MAX_REPORT_TEXT, only well-formed language tags and
 * dates are kept.
 */
export function platformContent(contentId: string, doc: Partial<ContentDocument>): PlatformContent {
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const externalId = (v: unknown) => {
    const s = str(v);
    return s !== undefined && s.length <= 200 && !/[\u0000-\u001f\u007f]/.test(s) ? s : undefined;
  };
  const { mediaSha256: media, mediaPdq } = scanFieldsOf(doc as Record<string, unknown>);
  const type = str(doc.type);
  const out: PlatformContent = {
    id: contentId,
    type: type && (CONTENT_TYPES as readonly string[]).includes(type) ? (type as ContentType) : 'post',
    authorId: externalId(doc.authorId) ?? 'unknown',
  };
  const text = str(doc.text);
  if (text) out.text = text.length > MAX_REPORT_TEXT ? text.slice(0, MAX_REPORT_TEXT) : text;
  if (media.length > 0) out.mediaSha256 = media.slice(0, 100);
  if (mediaPdq.length > 0) out.mediaPdq = mediaPdq.slice(0, 100);
  const channelId = externalId(doc.channelId);
  if (channelId) out.channelId = channelId;
  const lang = str(doc.lang);
  if (lang && /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(lang)) out.lang = lang;
  const createdAt = str(doc.createdAt);
  if (createdAt && !Number.isNaN(Date.parse(createdAt))) out.createdAt = new Date(createdAt).toISOString();
  return out;
}
