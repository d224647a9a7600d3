import type { Category, ContentType, DecisionAction, ReporterType } from '../domain/vocabulary';
import { CATEGORIES, CONTENT_TYPES, DECISION_ACTIONS, REPORTER_TYPES } from '../domain/vocabulary';
import { COUNTRY_CODE_LIST } from '../domain/countries';

/** Shapes of the jobs on each queue, with their JSON Schemas. */

/** Who filed a report: the token (never a body's claim), or Takedown itself for scans. */
export interface ReportFiler {
  tokenId: string;
  name: string;
  /** The person behind the token (absent on reports queued before tokens belonged to people, and on scans). */
  actorId?: string;
}

/** The filer of reports Takedown opens itself (content scans at ingest and backfill). */
export const SYSTEM_FILER: ReportFiler = { tokenId: 'system', name: 'takedown-scan' };

export interface ReportJob {
  /** Unique across filers: a client's own id is prefixed with its token id. */
  reportId: string;
  receivedAt: string;
  /** The reporter's copy of the content: evidence, never the basis of an automatic action unless the filer is a trusted detector. */
  content: {
    id: string;
    type: ContentType;
    text?: string;
    mediaSha256?: string[];
    /** PDQ hashes (64 lower-case hex) of the content's images, as the platform computed them. */
    mediaPdq?: string[];
    authorId: string;
    channelId?: string;
    lang?: string;
    createdAt?: string;
  };
  /**
   * `type` comes from the filing token's standing. `name` and `memberState`
   * are the standing holder's (a trusted flagger's or an authority's display
   * name and the EEA state that designated it), copied from the person
   * behind the token, never from a body: a statement of reasons names them
   * as its source (DSA Art. 17(3)(b)) and the Art. 15 figures count orders
   * by member state. Ordinary users' reports never carry either.
   */
  reporter: { id?: string; type: ReporterType; name?: string; memberState?: string };
  filedBy?: ReportFiler;
  /** Content scans: the rules whose hits opened this report. */
  ruleIds?: string[];
  reason: Category;
  note?: string;
}

const id = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:-]+$' } as const;
/** The platform's own ids for people and channels (e-mail-like, slashes…): any printable text, bounded. */
export const externalIdSchema = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]+$' } as const;
/** The longest copy of a post a report carries (the scan itself reads the whole post). */
export const MAX_REPORT_TEXT = 100_000;
const isoTime = { type: 'string', format: 'date-time' } as const;
const sha256 = { type: 'string', pattern: '^[a-f0-9]{64}$' } as const;
/** PDQ's reference hex form: 256 bits, 64 lower-case hex digits. */
const pdqHex = { type: 'string', pattern: '^[a-f0-9]{64}$' } as const;

export const reportJobSchema = {
  $id: 'takedown/jobs/report',
  type: 'object',
  additionalProperties: false,
  required: ['reportId', 'receivedAt', 'content', 'reporter', 'reason'],
  properties: {
    reportId: id,
    receivedAt: isoTime,
    content: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'type', 'authorId'],
      properties: {
        id,
        type: { type: 'string', enum: CONTENT_TYPES },
        text: { type: 'string', maxLength: MAX_REPORT_TEXT },
        mediaSha256: { type: 'array', items: sha256, maxItems: 100 },
        mediaPdq: { type: 'array', items: pdqHex, maxItems: 100 },
        authorId: externalIdSchema,
        channelId: externalIdSchema,
        lang: { type: 'string', pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$' },
        createdAt: isoTime,
      },
    },
    reporter: {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: {
        id,
        type: { type: 'string', enum: REPORTER_TYPES },
        name: { type: 'string', minLength: 1, maxLength: 200 },
        memberState: { type: 'string', pattern: '^[A-Z]{2}$' },
      },
    },
    filedBy: {
      type: 'object',
      additionalProperties: false,
      required: ['tokenId', 'name'],
      properties: { tokenId: id, name: { type: 'string', minLength: 1, maxLength: 200 }, actorId: { type: 'string', minLength: 1, maxLength: 200 } },
    },
    ruleIds: { type: 'array', items: id, maxItems: 100 },
    reason: { type: 'string', enum: CATEGORIES },
    note: { type: 'string', maxLength: 2000 },
  },
} as const;

export interface ActionJob {
  decisionId: string;
  caseId: string;
  contentId: string;
  action: DecisionAction;
  category: Category;
  legalGround: string;
  countries?: string[];
  decidedBy: string;
  decidedAt: string;
}

export const actionJobSchema = {
  $id: 'takedown/jobs/action',
  type: 'object',
  additionalProperties: false,
  required: ['decisionId', 'caseId', 'contentId', 'action', 'category', 'legalGround', 'decidedBy', 'decidedAt'],
  properties: {
    decisionId: id,
    caseId: id,
    contentId: id,
    action: { type: 'string', enum: DECISION_ACTIONS },
    category: { type: 'string', enum: CATEGORIES },
    legalGround: { type: 'string', minLength: 1, maxLength: 500 },
    countries: { type: 'array', items: { type: 'string', enum: COUNTRY_CODE_LIST }, maxItems: 250 },
    decidedBy: id,
    decidedAt: isoTime,
  },
} as const;

export interface BackfillJob {
  /** The published version whose rules are applied. */
  rulesetVersion: number;
  /** Content rules whose matches get tagged (added or changed). */
  apply: string[];
  /** Rule ids whose tags are removed first (removed or changed rules). */
  clear: string[];
  /**
   * Which documents the sweep scans in full: `changed` (default) those never
   * scanned and those written with an older version around the publish;
   * `all` every document (an operator's rescan, e.g. after writes straight
   * to Elasticsearch that copied old moderation fields along); `media` as
   * `changed`, plus every document carrying a PDQ hash (a pdq list gained
   * or changed hashes: only a scan finds near copies, by Hamming distance).
   */
  sweep?: 'changed' | 'all' | 'media';
}

export const backfillJobSchema = {
  $id: 'takedown/jobs/backfill',
  type: 'object',
  additionalProperties: false,
  required: ['rulesetVersion', 'apply', 'clear'],
  properties: {
    rulesetVersion: { type: 'integer', minimum: 1 },
    apply: { type: 'array', items: id, maxItems: 100000 },
    clear: { type: 'array', items: id, maxItems: 100000 },
    sweep: { type: 'string', enum: ['changed', 'all', 'media'] },
  },
} as const;

/** The legal desk's jobs name the request only: everything else is read from the store, where it is durable. */
export interface LegalRequestJob {
  requestId: string;
}

export const legalRequestJobSchema = {
  $id: 'takedown/jobs/legal-request',
  type: 'object',
  additionalProperties: false,
  required: ['requestId'],
  properties: { requestId: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[a-z0-9][a-z0-9-]*$' } },
} as const;
