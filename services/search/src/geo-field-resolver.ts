import type { Client } from '@elastic/elasticsearch';
import { UnavailableError } from '@takedown/shared';

/**
 * What a field name in a search reads, per the target index's mapping.
 * Elasticsearch resolves field aliases before running a query, and copy_to
 * and multi-fields put one field's values into another, so comparing the
 * name as written with a feature's gated fields is not enough.
 */
export interface GeoFieldView {
  /** Every field whose values a clause on `field` may read: itself, its alias targets, and (transitively) the fields copied into it. */
  sources(field: string): ReadonlySet<string>;
  /** The concrete fields an alias (or plain field) names: gated names given as aliases gate their targets too. */
  targets(field: string): ReadonlySet<string>;
  /** A runtime field of the mapping: its script may read any field, so a gate treats it as reading every gated one. */
  isRuntime(field: string): boolean;
}

export interface GeoFieldResolverOptions {
  /** How long a mapping read is trusted before it is read again. */
  ttlMs: number;
  /** Per-request timeout of the mapping read (never retried): past it, the search fails closed. */
  timeoutMs: number;
  now?: () => number;
}

/** Mapping walk bounds: Elasticsearch's own defaults are depth 20 and 1000 fields; past these we refuse rather than guess. */
const MAX_DEPTH = 32;
const MAX_FIELDS = 20_000;
/** copy_to does not chain in Elasticsearch, but multi-fields of a copy target do: a short closure covers it. */
const MAX_HOPS = 8;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

class MappingWalk {
  readonly aliases = new Map<string, Set<string>>();
  /** target field → fields whose values land in it (copy_to, multi-field parent). */
  readonly copiedFrom = new Map<string, Set<string>>();
  readonly runtime = new Set<string>();
  private fields = 0;

  runtimeFields(section: unknown): void {
    if (!isObj(section)) return;
    for (const name of Object.keys(section)) {
      if (++this.fields > MAX_FIELDS) throw new Error('mapping has too many fields');
      this.runtime.add(name);
    }
  }

  properties(props: unknown, prefix: string, depth: number): void {
    if (!isObj(props)) return;
    if (depth > MAX_DEPTH) throw new Error('mapping nested too deep');
    for (const [name, def] of Object.entries(props)) {
      if (++this.fields > MAX_FIELDS) throw new Error('mapping has too many fields');
      if (!isObj(def)) continue;
      const path = prefix + name;
      if (def['type'] === 'alias' && typeof def['path'] === 'string') add(this.aliases, path, def['path']);
      const copyTo = def['copy_to'];
      for (const t of typeof copyTo === 'string' ? [copyTo] : Array.isArray(copyTo) ? copyTo : []) {
        if (typeof t === 'string') add(this.copiedFrom, t, path);
      }
      // A multi-field indexes its parent's values (a geo_point parent's points among them).
      if (isObj(def['fields'])) {
        for (const sub of Object.keys(def['fields'])) {
          if (++this.fields > MAX_FIELDS) throw new Error('mapping has too many fields');
          add(this.copiedFrom, `${path}.${sub}`, path);
        }
      }
      this.properties(def['properties'], `${path}.`, depth + 1);
    }
  }

  view(): GeoFieldView {
    const { aliases, copiedFrom, runtime } = this;
    const targets = (field: string): ReadonlySet<string> => new Set([field, ...(aliases.get(field) ?? [])]);
    return {
      targets,
      isRuntime: (field) => [...targets(field)].some((t) => runtime.has(t)),
      sources(field) {
        const out = new Set(targets(field));
        let frontier = [...out];
        for (let hop = 0; hop < MAX_HOPS && frontier.length > 0; hop++) {
          const next: string[] = [];
          for (const f of frontier) {
            for (const s of copiedFrom.get(f) ?? []) {
              if (!out.has(s)) {
                out.add(s);
                next.push(s);
              }
            }
          }
          frontier = next;
        }
        return out;
      },
    };
  }
}

/** Builds the view from a GET <index>/_mapping answer: every concrete index the name matched, merged. */
export function geoFieldView(mappingResponse: unknown): GeoFieldView {
  const walk = new MappingWalk();
  if (!isObj(mappingResponse)) throw new Error('mapping answer is not an object');
  for (const entry of Object.values(mappingResponse)) {
    const mappings = isObj(entry) ? entry['mappings'] : undefined;
    if (isObj(mappings)) {
      walk.properties(mappings['properties'], '', 0);
      walk.runtimeFields(mappings['runtime']);
    }
  }
  return walk.view();
}

/**
 * Per-index cache of mapping views, read only when a search has a geo
 * clause and a geo-gated feature applies to the caller. Fails closed: a
 * mapping that cannot be read (Elasticsearch down, timeout, too large) is a
 * 503, never an answer; a stale entry is read again, not served.
 */
export class GeoFieldResolver {
  private readonly cache = new Map<string, { at: number; view: Promise<GeoFieldView> }>();
  private readonly now: () => number;

  constructor(
    private readonly es: Client,
    private readonly opts: GeoFieldResolverOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** `index` is one the search service already validated (an exact configured name), so the cache stays bounded. */
  async view(index: string): Promise<GeoFieldView> {
    const hit = this.cache.get(index);
    if (hit && this.now() - hit.at < this.opts.ttlMs) return hit.view;
    // One read in flight per index: concurrent searches share it.
    const view = this.read(index);
    const entry = { at: this.now(), view };
    this.cache.set(index, entry);
    try {
      return await view;
    } catch (err) {
      // A failed read is not cached: the next search tries again.
      if (this.cache.get(index) === entry) this.cache.delete(index);
      throw new UnavailableError('the index mapping could not be read to check gated geo fields', 'mapping_unavailable', { cause: err });
    }
  }

  private async read(index: string): Promise<GeoFieldView> {
    const res = await this.es.indices.getMapping({ index }, { requestTimeout: this.opts.timeoutMs, maxRetries: 0 });
    return geoFieldView(res);
  }
}
