import { ValidationError } from '@takedown/shared';
import { AGGREGATIONS, REFUSED_AGGREGATIONS } from './aggregations';
import { QUERIES, REFUSED_QUERIES } from './queries';
import type { SearchText } from './search-text';
import { geoByField, type GeoReader, type GeoUse } from './geo-use';
import { MAX_SCALAR_CHARS, acceptsType, describe, type Spec } from './spec';
import { FIELD_SORT, HIGHLIGHT, SPECIAL_SORTS, TOP_LEVEL } from './top-level';

/** A refused search body: 400, `field` is the JSON pointer of the refused part. */
export class SearchGuardError extends ValidationError {
  constructor(message: string, path: string, code = 'search_body_refused') {
    super(message, path, code);
  }
}

export interface GuardContext {
  /** Largest `size` accepted (defaults to 1000). */
  maxSize?: number;
  /** Largest `from + size` accepted (defaults to 10000, Elasticsearch's own window). */
  maxWindow?: number;
  /** Deepest nesting of objects and arrays accepted (defaults to 64). */
  maxDepth?: number;
  /** Most values (objects, arrays, scalars) in one body (defaults to 20,000). */
  maxNodes?: number;
}

export const DEFAULT_MAX_DEPTH = 64;
export const DEFAULT_MAX_NODES = 20_000;
/** Most characters of search text one body may carry (each is normalised and matched, some several times). */
export const MAX_SEARCH_TEXT_CHARS = 65_536;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasOwn = Object.hasOwn;
const AGG_META: Readonly<Record<string, true>> = { aggs: true, aggregations: true, meta: true };
/** `_geo_distance` sorts by distance from a point: its one non-option key is the field. */
const GEO_SORT = geoByField(['order', 'unit', 'mode', 'distance_type', 'ignore_unmapped', 'nested']);

/**
 * One pass over a search body against the grammar (top-level.ts, queries.ts,
 * aggregations.ts): every key and value checked, nesting and size bounded,
 * and the caller's search texts collected from every query-bearing part.
 * Linear in the size of the body; recursion never deeper than maxDepth.
 */
class Walker {
  private nodes = 0;
  private textChars = 0;
  private readonly segs: string[] = [];
  /** The same path with keys as given (segs shortens long ones for messages). */
  private readonly raw: string[] = [];
  readonly texts: GuardedText[] = [];
  /** Paths (segments, ending in the query type) of clauses whose term expansion the rewriter must uncap. */
  readonly caps: string[][] = [];
  /** Geo constructs and the fields they read (for geo-gating feature switches). */
  readonly geo: GeoUse[] = [];

  constructor(
    private readonly maxDepth: number,
    private readonly maxNodes: number,
  ) {}

  private path(): string {
    return pointer(this.segs);
  }

  refuse(why: string): never {
    const path = this.path();
    throw new SearchGuardError(`search body refused at ${path || '/'}: ${why}`, path);
  }

  private enter(seg: string | number): void {
    this.raw.push(String(seg));
    this.segs.push(typeof seg === 'number' ? String(seg) : seg.length > 100 ? `${seg.slice(0, 100)}…` : seg);
    if (this.segs.length > this.maxDepth) this.refuse(`nested deeper than ${this.maxDepth} levels`);
  }

  private leave(): void {
    this.segs.pop();
    this.raw.pop();
  }

  child(spec: Spec, parent: Obj | unknown[], key: string | number): void {
    this.enter(key);
    this.visit(spec, (parent as Record<string | number, unknown>)[key]);
    this.leave();
  }

  visit(spec: Spec, v: unknown): void {
    if (++this.nodes > this.maxNodes) this.refuse(`more than ${this.maxNodes} values in one body`);
    switch (spec.t) {
      case 'bool':
        if (typeof v !== 'boolean') this.refuse('must be true or false');
        return;
      case 'int':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < spec.min || v > spec.max) {
          this.refuse(spec.why && typeof v === 'number' && v < spec.min ? spec.why : `must be ${describe(spec)} (a JSON number)`);
        }
        return;
      case 'num':
        if (typeof v !== 'number' || !Number.isFinite(v) || (spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) {
          this.refuse('must be a number');
        }
        return;
      case 'str':
        if (typeof v !== 'string') this.refuse(`must be ${describe(spec)}`);
        if (v.length > spec.max) this.refuse(`longer than ${spec.max} characters`);
        if (spec.oneOf && !spec.oneOf.includes(v)) this.refuse(`must be ${describe(spec)}`);
        if (spec.re && !spec.re.test(v)) this.refuse(`must be ${describe(spec)}`);
        return;
      case 'scalar':
        if (typeof v === 'string') {
          if (v.length > MAX_SCALAR_CHARS) this.refuse(`longer than ${MAX_SCALAR_CHARS} characters`);
        } else if (typeof v !== 'number' && typeof v !== 'boolean') this.refuse('must be a string, number or boolean');
        return;
      case 'literal':
        return this.literal(v);
      case 'query':
        return this.query(v);
      case 'aggs':
        return this.aggs(v);
      case 'sort':
        return this.sort(v);
      case 'highlight':
        return this.visit(HIGHLIGHT, v);
      case 'no':
        return this.refuse(spec.why);
      case 'any': {
        const alt = spec.of.find((s) => acceptsType(s, v));
        if (!alt) this.refuse(`must be ${describe(spec)}`);
        return this.visit(alt, v);
      }
      case 'arr':
      case 'list': {
        if (!Array.isArray(v)) {
          if (spec.t === 'list') return this.visit(spec.of, v);
          return this.refuse('must be an array');
        }
        const max = spec.max;
        if (v.length > max) this.refuse(`more than ${max} items`);
        for (let i = 0; i < v.length; i++) this.child(spec.of, v, i);
        return;
      }
      case 'obj': {
        if (!isObj(v)) this.refuse('must be an object');
        for (const k of Object.keys(v)) {
          if (!hasOwn(spec.keys, k)) {
            this.enter(k);
            this.refuse(`unknown option "${k.slice(0, 60)}"`);
          }
          this.child(spec.keys[k] as Spec, v, k);
        }
        for (const k of spec.required ?? []) if (!hasOwn(v, k)) this.refuse(`"${k}" is required`);
        return;
      }
      case 'byField': {
        if (!isObj(v)) this.refuse('must be an object');
        let seen = false;
        for (const k of Object.keys(v)) {
          if (spec.keys && hasOwn(spec.keys, k)) {
            this.child(spec.keys[k] as Spec, v, k);
            continue;
          }
          if (seen) {
            this.enter(k);
            this.refuse('only one field per clause');
          }
          seen = true;
          if (k.length === 0 || k.length > 512) this.refuse('a field name must have 1 to 512 characters');
          this.child(spec.value, v, k);
        }
        if (!seen) this.refuse('names no field');
        return;
      }
      case 'map': {
        if (!isObj(v)) this.refuse('must be an object');
        const keys = Object.keys(v);
        if (keys.length > spec.max) this.refuse(`more than ${spec.max} entries`);
        for (const k of keys) this.child(spec.value, v, k);
        return;
      }
    }
  }

  /** JSON with no meaning to the guard: only depth, count and string length are checked. */
  private literal(v: unknown): void {
    if (typeof v === 'string') {
      if (v.length > MAX_SCALAR_CHARS) this.refuse(`longer than ${MAX_SCALAR_CHARS} characters`);
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        this.enter(i);
        if (++this.nodes > this.maxNodes) this.refuse(`more than ${this.maxNodes} values in one body`);
        this.literal(v[i]);
        this.leave();
      }
    } else if (isObj(v)) {
      for (const k of Object.keys(v)) {
        this.enter(k);
        if (++this.nodes > this.maxNodes) this.refuse(`more than ${this.maxNodes} values in one body`);
        if (k === 'script' || k.startsWith('_script')) this.refuse('scripts are refused');
        this.literal(v[k]);
        this.leave();
      }
    }
  }

  private query(v: unknown): void {
    if (!isObj(v)) this.refuse('a query must be an object');
    const keys = Object.keys(v);
    if (keys.length !== 1) this.refuse('a query object must have exactly one query type');
    const type = keys[0] as string;
    this.enter(type);
    if (hasOwn(REFUSED_QUERIES, type)) this.refuse(REFUSED_QUERIES[type] as string);
    if (!hasOwn(QUERIES, type)) this.refuse(`unknown or unsupported query type "${type.slice(0, 60)}"`);
    const entry = QUERIES[type]!;
    const body = v[type];
    this.visit(entry.spec, body);
    if (entry.read) this.collect(() => entry.read!(body as Obj, this.texts));
    if (entry.geo) this.geoOf(entry.geo, body as Obj, type);
    if (entry.cap) this.caps.push([...this.raw]);
    this.leave();
  }

  /** Runs a reader and stamps what it added with the current path, counting its characters. */
  private collect(read: () => void): void {
    const before = this.texts.length;
    read();
    if (this.texts.length === before) return;
    // The path as segments: the JSON pointer is only spelled out if a refusal needs it.
    const at = this.segs.slice();
    for (let i = before; i < this.texts.length; i++) {
      const t = this.texts[i] as GuardedText;
      t.at = at;
      this.textChars += t.kind === 'range' ? t.from.length + t.to.length : t.kind === 'bound' ? t.value.length : t.text.length;
    }
    if (this.textChars > MAX_SEARCH_TEXT_CHARS) this.refuse(`more than ${MAX_SEARCH_TEXT_CHARS} characters of search text in one body`);
  }

  private aggs(v: unknown): void {
    if (!isObj(v)) this.refuse('aggregations must be an object');
    for (const name of Object.keys(v)) {
      this.enter(name);
      const agg = v[name];
      if (!isObj(agg)) this.refuse('an aggregation must be an object');
      let type: string | undefined;
      for (const k of Object.keys(agg)) {
        if (hasOwn(AGG_META, k)) continue;
        if (type !== undefined) this.refuse('an aggregation must have exactly one type');
        type = k;
      }
      if (type === undefined) this.refuse('an aggregation must have exactly one type');
      this.enter(type);
      if (hasOwn(REFUSED_AGGREGATIONS, type)) this.refuse(REFUSED_AGGREGATIONS[type] as string);
      if (!hasOwn(AGGREGATIONS, type)) this.refuse(`unknown or unsupported aggregation "${type.slice(0, 60)}"`);
      const entry = AGGREGATIONS[type]!;
      this.visit(entry.spec, agg[type]);
      if (entry.read) this.collect(() => entry.read!(agg[type] as Obj, this.texts));
      if (entry.geo) this.geoOf(entry.geo, agg[type] as Obj, type);
      this.leave();
      for (const sub of ['aggs', 'aggregations'] as const) if (hasOwn(agg, sub)) this.child({ t: 'aggs' }, agg, sub);
      if (hasOwn(agg, 'meta')) this.child({ t: 'literal' }, agg, 'meta');
      this.leave();
    }
  }

  private sort(v: unknown): void {
    if (Array.isArray(v)) {
      if (v.length > 64) this.refuse('more than 64 sort clauses');
      for (let i = 0; i < v.length; i++) {
        this.enter(i);
        this.sortClause(v[i]);
        this.leave();
      }
    } else this.sortClause(v);
  }

  private sortClause(v: unknown): void {
    if (++this.nodes > this.maxNodes) this.refuse(`more than ${this.maxNodes} values in one body`);
    if (typeof v === 'string') {
      if (v.length > 512) this.refuse('a sort field name has at most 512 characters');
      return;
    }
    if (!isObj(v)) this.refuse('a sort must be a field name or an object');
    const keys = Object.keys(v);
    if (keys.length !== 1) this.refuse('a sort clause names exactly one field');
    const key = keys[0] as string;
    this.child(hasOwn(SPECIAL_SORTS, key) ? (SPECIAL_SORTS[key] as Spec) : FIELD_SORT, v, key);
    if (key === '_geo_distance') {
      this.enter(key);
      this.geoOf(GEO_SORT, v[key] as Obj, key);
      this.leave();
    }
  }

  /** Runs a geo reader on a checked clause and stamps what it found with the clause's path. */
  private geoOf(read: GeoReader, body: Obj, kind: string): void {
    const before = this.geo.length;
    read(body, kind, this.geo);
    if (this.geo.length === before) return;
    const at = this.path();
    for (let i = before; i < this.geo.length; i++) (this.geo[i] as GeoUse).at = at;
  }
}

/** A search text and the path (segments) of the clause it came from. */
export type GuardedText = SearchText & { at?: readonly string[] };

/** A JSON pointer from path segments. */
export function pointer(segs: readonly string[]): string {
  return segs.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** What the guard read out of a body: the search texts, and the clauses whose expansion must be uncapped. */
export interface GuardedBody {
  texts: GuardedText[];
  caps: string[][];
  /** Every geo query, aggregation and sort, with the field it reads and its path. */
  geo: GeoUse[];
}

/**
 * Checks a search body against the grammar and returns the search texts it
 * carries (for the block check). Throws SearchGuardError for the first
 * refused part.
 */
export function guardSearchBody(body: unknown, ctx: GuardContext = {}): GuardedText[] {
  return guardSearch(body, ctx).texts;
}

/** guardSearchBody, with the clauses the rewriter must uncap (see QueryEntry.cap). */
export function guardSearch(body: unknown, ctx: GuardContext = {}): GuardedBody {
  if (body === undefined || body === null) return { texts: [], caps: [], geo: [] };
  const w = new Walker(ctx.maxDepth ?? DEFAULT_MAX_DEPTH, ctx.maxNodes ?? DEFAULT_MAX_NODES);
  if (!isObj(body)) throw new SearchGuardError('search body refused at /: the body must be a JSON object', '');
  for (const key of Object.keys(body)) {
    if (!hasOwn(TOP_LEVEL, key)) {
      throw new SearchGuardError(`search body refused at /${key.slice(0, 100)}: unknown or unsupported key "${key.slice(0, 60)}"`, `/${key.slice(0, 100).replace(/~/g, '~0').replace(/\//g, '~1')}`);
    }
    w.child(TOP_LEVEL[key]!.spec, body, key);
  }
  const size = typeof body['size'] === 'number' ? body['size'] : 10;
  const from = typeof body['from'] === 'number' ? body['from'] : 0;
  const maxSize = ctx.maxSize ?? 1000;
  const maxWindow = ctx.maxWindow ?? 10_000;
  if (size > maxSize) throw new SearchGuardError(`search body refused at /size: size above ${maxSize}`, '/size');
  if (from + size > maxWindow) throw new SearchGuardError(`search body refused at /from: from + size above ${maxWindow}`, '/from');
  return { texts: w.texts, caps: w.caps, geo: w.geo };
}

/**
 * `body` with every clause at `caps` uncapped (QueryEntry.cap), copying only
 * the objects on the way to each (the caller's body is never changed), or
 * `body` itself when there is none.
 */
export function uncapExpansions(body: Obj, caps: readonly string[][]): Obj {
  if (caps.length === 0) return body;
  const root: Obj = { ...body };
  const copied = new WeakSet<object>([root]);
  for (const path of caps) {
    let node = root as Record<string, unknown>;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i] as string;
      let child = node[key] as Record<string, unknown>;
      if (!copied.has(child)) {
        child = (Array.isArray(child) ? [...child] : { ...child }) as Record<string, unknown>;
        copied.add(child);
        node[key] = child;
      }
      node = child;
    }
    const type = path[path.length - 1] as string;
    node[type] = QUERIES[type]!.cap!(node[type] as Obj);
  }
  return root;
}
