export { guardSearchBody, guardSearch, uncapExpansions, SearchGuardError, DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, type GuardContext } from './walk';
export { TOP_LEVEL, HIGHLIGHT, FIELD_SORT, SPECIAL_SORTS, type TopLevelEntry } from './top-level';
export { QUERIES, REFUSED_QUERIES, EXPAND_ALL, type QueryEntry } from './queries';
export { AGGREGATIONS, REFUSED_AGGREGATIONS, type AggEntry } from './aggregations';
export { parseFuzz, textOf, type Fuzz, type SearchText } from './search-text';
export type { Spec, Keys } from './spec';
export type { GeoUse } from './geo-use';
