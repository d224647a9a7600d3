import { errors, type Client } from '@elastic/elasticsearch';
import { CONTENT_TYPES, type ContentType } from '../domain/vocabulary';
import { UnavailableError } from '../errors/takedown-error';
import type { ReportJob } from '../jobs/payloads';
import type { ContentDocument } from './content-index';
import { scanFieldsOf } from './scan-fields';

/** A post as the platform's content index holds it, in the shape cases carry. */
export type PlatformContent = ReportJob['content'];

/**
 * Reads posts from the platform's content index: the source of truth for
 * what a post says (a report's copy is only the reporter's evidence).
 * Real-time gets by id, so a post written a moment ago is found.
 */
export class ContentReader {
  constructor(
    private readonly es: Client,
    private readonly index: string,
    /** Per read; a hung Elasticsearch fails the job (retried with backoff), never blocks it. */
    private readonly timeoutMs = 5000,
  ) {}

  /** The post, or undefined when the index has none (or only a placeholder carrying a decision). */
  async get(contentId: string): Promise<PlatformContent | undefined> {
    let got;
    try {
      got = await this.es.get<ContentDocument>(
        { index: this.index, id: contentId, _source_excludes: ['moderation.normalizedText'] },
        { ignore: [404], requestTimeout: this.timeoutMs, maxRetries: 1 },
      );
    } catch (err) {
      if (err instanceof errors.ResponseError && err.statusCode === 404) return undefined; // the index itself is missing
      throw new UnavailableError('the content index is unavailable', 'content_unavailable', { cause: err });
    }
    const doc = got.found ? got._source : undefined;
    if (!doc || doc.moderation?.placeholder) return undefined;
    return platformContent(contentId, doc);
  }
}

/** The fields a case shows, from a content document; the platform's optional fields kept only when well-formed. */
export function platformContent(contentId: string, doc: Partial<ContentDocument>): PlatformContent {
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const media = scanFieldsOf(doc as Record<string, unknown>).mediaSha256;
  const type = str(doc.type);
  const out: PlatformContent = {
    id: contentId,
    type: type && (CONTENT_TYPES as readonly string[]).includes(type) ? (type as ContentType) : 'post',
    authorId: str(doc.authorId) ?? 'unknown',
  };
  const text = str(doc.text);
  if (text) out.text = text;
  if (media.length > 0) out.mediaSha256 = media.slice(0, 100);
  const channelId = str(doc.channelId);
  if (channelId) out.channelId = channelId;
  const lang = str(doc.lang);
  if (lang && /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(lang)) out.lang = lang;
  const createdAt = str(doc.createdAt);
  if (createdAt && !Number.isNaN(Date.parse(createdAt))) out.createdAt = new Date(createdAt).toISOString();
  return out;
}
