/**
 * A geo construct in a search body, as the guard reads it out: a query, an
 * aggregation or a sort that locates documents by a geo field. A feature
 * switch (People Nearby) can forbid these on user-location fields; the
 * search service compares `field` with the fields the switch gates.
 */
export interface GeoUse {
  /** The query, aggregation or sort type (`geo_distance`, `geohash_grid`, `_geo_distance`, …). */
  kind: string;
  /** The field it reads. */
  field: string;
  /** JSON pointer of the clause (set by the walker). */
  at?: string;
}

type Body = Record<string, unknown>;
const isObj = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads the geo fields of a clause (its body already checked against the grammar). */
export type GeoReader = (body: Body, kind: string, out: GeoUse[]) => void;

/** `{ <field>: point|box|polygon, ...options }`: the one key that is not an option is the field. */
export function geoByField(options: readonly string[]): GeoReader {
  const opts = new Set(options);
  return (body, kind, out) => {
    for (const k of Object.keys(body)) if (!opts.has(k)) out.push({ kind, field: k });
  };
}

/** `{ field: <name>, ... }` (geo aggregations, distance_feature). */
export const geoField: GeoReader = (body, kind, out) => {
  if (typeof body['field'] === 'string') out.push({ kind, field: body['field'] });
};

const DECAYS = ['gauss', 'linear', 'exp'] as const;

/** function_score's decay functions rank by distance from an origin: each names its field as its one non-option key. */
export const geoDecays: GeoReader = (body, kind, out) => {
  const fns = Array.isArray(body['functions']) ? body['functions'] : [];
  for (const holder of [body, ...fns]) {
    if (!isObj(holder)) continue;
    for (const d of DECAYS) {
      const decay = holder[d];
      if (!isObj(decay)) continue;
      for (const k of Object.keys(decay)) if (k !== 'multi_value_mode') out.push({ kind: `${kind}.${d}`, field: k });
    }
  }
};

/** composite sources of type geotile_grid. */
export const geoCompositeSources: GeoReader = (body, kind, out) => {
  const sources = Array.isArray(body['sources']) ? body['sources'] : [];
  for (const source of sources) {
    if (!isObj(source)) continue;
    for (const named of Object.values(source)) {
      if (isObj(named) && isObj(named['geotile_grid'])) geoField(named['geotile_grid'], `${kind}.geotile_grid`, out);
    }
  }
};
