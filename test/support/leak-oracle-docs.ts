import { createHash } from 'node:crypto';
import { contentIndexDefinition, type ContentDocument, type TakedownMessage } from '@takedown/shared';

/**
 * The documents the leak oracle seeds, and the detector that looks for the
 * hidden ones in response bytes.
 *
 * Every hidden document carries values found nowhere else (id `hid-…`,
 * words, author, channel, hash, lang, type, category, decision, labels,
 * rule hits, digest, numbers, dates in 1977/1979) in every field of the content
 * mapping. Visible documents use other values (ids `vis-…`, dates in
 * 2025/2026, small numbers), so any hidden value in an answer is a leak.
 */

/** Why each hidden document is hidden, and from whom. */
export type HiddenKind = 'removed' | 'excluded' | 'restricted' | 'placeholder' | 'recent';

/** Callers the oracle searches as: no country, the restricting country, another country. */
export const CALLER_COUNTRIES = [undefined, 'DE', 'US'] as const;
export type CallerCountry = (typeof CALLER_COUNTRIES)[number];

/** The country the restricted document is restricted in. */
export const RESTRICTED_IN = 'DE';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Numbers below 10^7 so Elasticsearch prints them as `7351911.0`, never in E notation. */
const HIDDEN_VERSION: Record<HiddenKind, number> = { removed: 7351911, excluded: 7351912, restricted: 7351913, placeholder: 7351914, recent: 7351915 };
const HIDDEN_DAY: Record<HiddenKind, string> = { removed: '03', excluded: '04', restricted: '05', placeholder: '06', recent: '07' };
/** Hidden dates are in 1977, the restricted post's in 1979 (it is visible to callers outside the restricting country); visible ones in 2025/2026. */
const HIDDEN_YEAR: Record<HiddenKind, number> = { removed: 1977, excluded: 1977, restricted: 1979, placeholder: 1977, recent: 1977 };

function hiddenDoc(kind: HiddenKind): ContentDocument {
  const moderation: NonNullable<ContentDocument['moderation']> = {
    category: `qzcat-${kind}`,
    decisionId: `qzdec-${kind}`,
    labels: [`qzlabel-${kind}`],
    ruleHits: [`qzrule-${kind}`],
    updatedAt: `${HIDDEN_YEAR[kind]}-08-${HIDDEN_DAY[kind]}T08:08:08.888Z`,
    normalizedText: `qz${kind}norm market bread`,
    scannedVersion: HIDDEN_VERSION[kind],
    reviewedDigest: `qzdigest-${kind}`,
  };
  if (kind === 'removed') moderation.state = 'removed';
  if (kind === 'excluded') moderation.state = 'excluded';
  if (kind === 'restricted') Object.assign(moderation, { state: 'restricted', restrictedIn: [RESTRICTED_IN] });
  // A stand-in carrying a visible decision (a label): only the placeholder flag hides it.
  if (kind === 'placeholder') Object.assign(moderation, { state: 'labelled', placeholder: true });
  return {
    id: `hid-${kind}`,
    type: `qztype-${kind}`,
    // Common words too, so ordinary queries reach the hidden documents and only the filter keeps them out.
    text: `market bread qz${kind}alpha saturday qz${kind}beta`,
    lang: `qzlang-${kind}`,
    authorId: `qzauthor-${kind}`,
    channelId: `qzchan-${kind}`,
    createdAt: `${HIDDEN_YEAR[kind]}-07-${HIDDEN_DAY[kind]}T07:07:07.777Z`,
    media: [{ sha256: sha(`hidden-${kind}`), kind: `qzkind-${kind}` }],
    // The recently removed post is still unmarked in Elasticsearch: only the takedown tracker hides it.
    ...(kind === 'recent' ? {} : { moderation }),
  };
}

export const HIDDEN_KINDS: readonly HiddenKind[] = ['removed', 'excluded', 'restricted', 'placeholder', 'recent'];
export const HIDDEN_DOCS: readonly ContentDocument[] = HIDDEN_KINDS.map(hiddenDoc);

export const VISIBLE_DOCS: readonly ContentDocument[] = [
  { id: 'vis-1', type: 'post', text: 'farmers market on saturday with fresh bread', lang: 'en', authorId: 'author-v1', channelId: 'chan-v1', createdAt: '2026-11-01T10:00:00Z', media: [{ sha256: 'cd'.repeat(32), kind: 'image' }] },
  { id: 'vis-2', type: 'post', text: 'market day: bread, cheese and apples', lang: 'fr', authorId: 'author-v2', channelId: 'chan-v1', createdAt: '2026-10-15T10:00:00Z', moderation: { state: 'none', scannedVersion: 1, updatedAt: '2026-10-16T00:00:00Z' } },
  { id: 'vis-3', type: 'comment', text: 'bread deals at the market, message me', lang: 'en', authorId: 'author-v3', channelId: 'chan-v2', createdAt: '2025-06-01T10:00:00Z', moderation: { state: 'suspected', scannedVersion: 2, ruleHits: ['rule-v'], category: 'spam', normalizedText: 'bread deals at the market message me' } },
  { id: 'vis-4', type: 'post', text: 'apples and pears, fresh from the orchard', lang: 'de', authorId: 'author-v1', channelId: 'chan-v3', createdAt: '2025-12-24T10:00:00Z', media: [{ sha256: 'ef'.repeat(32), kind: 'video' }], moderation: { state: 'labelled', labels: ['label-v'], decisionId: 'dec-v4', scannedVersion: 3, placeholder: false } },
  { id: 'vis-5', type: 'post', text: 'saturday market photos', authorId: 'author-v5', createdAt: '2026-01-05T10:00:00Z', moderation: { state: 'none', scannedVersion: 4, reviewedDigest: 'digest-v5' } },
  { id: 'vis-6', type: 'post', text: 'cheese and bread recipe', lang: 'en', authorId: 'author-v6', channelId: 'chan-v2', createdAt: '2026-03-03T10:00:00Z', moderation: { state: 'none', scannedVersion: 5 } },
];

/** The tracker message that hides `hid-recent` (a decision Elasticsearch has not seen yet, so the tracker keeps it). */
export function recentTakedown(now = Date.now()): TakedownMessage {
  return { contentId: 'hid-recent', state: 'removed', decisionId: 'qzdec-recent-pending', restrictedIn: [], at: new Date(now).toISOString() };
}

/** Whether a hidden document is hidden from this caller. */
export function hiddenFrom(doc: ContentDocument, country: CallerCountry): boolean {
  return !(doc.id === 'hid-restricted' && country !== undefined && country !== RESTRICTED_IN);
}

function stringsOf(v: unknown, out: Set<string>): void {
  if (typeof v === 'string') out.add(v.toLowerCase());
  else if (Array.isArray(v)) for (const x of v) stringsOf(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) stringsOf(x, out);
}

export interface Marker {
  /** What to look for (lowercase), or a number. */
  value: string | number;
  doc: string;
  /** For a date marker (`1977-`): the year, whose epoch millis are looked for too. */
  year?: number;
}

/** Values of hidden documents that must never come back, for a caller. */
export function hiddenMarkers(country: CallerCountry): Marker[] {
  const out: Marker[] = [];
  for (const doc of HIDDEN_DOCS) {
    if (!hiddenFrom(doc, country)) continue;
    const strings = new Set<string>();
    stringsOf(doc, strings);
    for (const s of strings) {
      // Whole texts: look for their unique words instead; dates: by year below.
      if (s === doc.text.toLowerCase() || s === doc.moderation?.normalizedText) continue;
      if (/^19\d\d-/.test(s) || s === 'labelled' || s === 'removed' || s === 'excluded' || s === 'restricted' || s === 'de') continue;
      out.push({ value: s, doc: doc.id });
    }
    for (const w of hiddenWords(doc)) out.push({ value: w, doc: doc.id });
    if (doc.moderation?.scannedVersion !== undefined) out.push({ value: doc.moderation.scannedVersion, doc: doc.id });
    out.push({ value: `${doc.createdAt.slice(0, 4)}-`, doc: doc.id, year: Number(doc.createdAt.slice(0, 4)) });
  }
  // State values as JSON strings (bucket keys, _source): only hidden documents have these states.
  out.push({ value: '"removed"', doc: 'hid-removed' }, { value: '"excluded"', doc: 'hid-excluded' });
  if (HIDDEN_DOCS.some((d) => d.id === 'hid-restricted' && hiddenFrom(d, country))) out.push({ value: '"restricted"', doc: 'hid-restricted' });
  return out;
}

/** The unique words of a hidden document's texts. */
export function hiddenWords(doc: ContentDocument): string[] {
  const words = `${doc.text} ${doc.moderation?.normalizedText ?? ''}`.toLowerCase().split(/\s+/);
  return words.filter((w) => w.startsWith('qz'));
}

/** Numbers standing alone in JSON text (not digits inside an id or a hash). */
const NUMBER = /(?<![\w.+-])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])/g;

export interface Leak {
  doc: string;
  value: string | number;
  /** Some text around it. */
  at: string;
}

/**
 * Hidden values in an answer (status 200 or error, any shape): strings
 * case-insensitively anywhere in the bytes, numbers where a JSON number
 * stands, and any date in a hidden document's year (ISO text or epoch millis).
 */
export function findLeaks(text: string, country: CallerCountry): Leak[] {
  const lower = text.toLowerCase();
  const leaks: Leak[] = [];
  const around = (i: number) => text.slice(Math.max(0, i - 120), i + 120);
  const numbers = new Map<number, string>();
  const years: { from: number; to: number; doc: string }[] = [];
  for (const m of hiddenMarkers(country)) {
    if (m.year !== undefined) years.push({ from: Date.UTC(m.year, 0, 1), to: Date.UTC(m.year + 1, 0, 1), doc: m.doc });
    if (typeof m.value === 'string') {
      const i = lower.indexOf(m.value);
      if (i >= 0) leaks.push({ doc: m.doc, value: m.value, at: around(i) });
    } else numbers.set(m.value, m.doc);
  }
  for (const match of text.matchAll(NUMBER)) {
    const n = Number(match[0]);
    const doc = numbers.get(n);
    if (doc) leaks.push({ doc, value: n, at: around(match.index ?? 0) });
    else {
      const y = years.find((r) => n >= r.from && n < r.to);
      if (y) leaks.push({ doc: y.doc, value: n, at: around(match.index ?? 0) });
    }
  }
  return leaks;
}

/** Fields of the real content mapping, by kind (what generated bodies name). */
export type FieldKind = 'keyword' | 'text' | 'date' | 'number' | 'boolean' | 'unindexed';
export interface MappedField {
  name: string;
  kind: FieldKind;
}

export function mappedFields(): MappedField[] {
  const out: MappedField[] = [];
  const walk = (props: Record<string, unknown>, prefix: string) => {
    for (const [name, raw] of Object.entries(props)) {
      const p = raw as { type?: string; index?: boolean; properties?: Record<string, unknown> };
      const full = prefix + name;
      if (p.properties) walk(p.properties, `${full}.`);
      else if (p.index === false) out.push({ name: full, kind: 'unindexed' });
      else if (p.type === 'keyword') out.push({ name: full, kind: 'keyword' });
      else if (p.type === 'text') out.push({ name: full, kind: 'text' });
      else if (p.type === 'date') out.push({ name: full, kind: 'date' });
      else if (p.type === 'boolean') out.push({ name: full, kind: 'boolean' });
      else out.push({ name: full, kind: 'number' });
    }
  };
  walk(contentIndexDefinition(0).mappings.properties as Record<string, unknown>, '');
  return out;
}

/** Every value a field holds across the seeded documents (hidden first). */
export function valuesOf(field: string): unknown[] {
  const out: unknown[] = [];
  const get = (v: unknown, path: string[]): void => {
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) return v.forEach((x) => get(x, path));
    if (path.length === 0) return void out.push(v);
    if (typeof v === 'object') get((v as Record<string, unknown>)[path[0]!], path.slice(1));
  };
  for (const d of [...HIDDEN_DOCS, ...VISIBLE_DOCS]) get(d, field.split('.'));
  return [...new Set(out)];
}
