/**
 * Our ajv schemas are draft-07 (ajv's default); OpenAPI 3.1 speaks JSON
 * Schema 2020-12. This turns one into the other, as a copy (the validators
 * keep theirs): `$id` goes (it would rebase references inside the document),
 * `definitions` become `$defs`, tuple `items` become `prefixItems`, ajv's
 * `nullable` becomes a "null" type. Keywords only ajv plugins know are refused,
 * so a schema the document cannot say fails the build, not the reader.
 */
const AJV_ONLY = new Set(['instanceof', 'typeof', 'regexp', 'transform', 'dynamicDefaults', 'select', 'selectCases', 'selectDefault', 'errorMessage', 'range', 'exclusiveRange', 'allRequired', 'anyRequired', 'oneRequired', 'patternRequired', 'prohibited', 'deepProperties', 'deepRequired', 'uniqueItemProperties']);

/** Keywords whose value is a map of name → schema. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas']);
/** Keywords whose value is one schema. */
const SCHEMA_ONE = new Set(['additionalProperties', 'propertyNames', 'contains', 'not', 'if', 'then', 'else', 'items', 'additionalItems', 'unevaluatedProperties', 'unevaluatedItems']);
/** Keywords whose value is a list of schemas. */
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);

export function toJsonSchema2020(schema: unknown, at = '#'): unknown {
  if (typeof schema === 'boolean') return schema;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new Error(`openapi: ${at} is not a schema`);
  const src = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(src)) {
    if (AJV_ONLY.has(key)) throw new Error(`openapi: ${at}/${key} is an ajv-only keyword with no JSON Schema 2020-12 equivalent`);
    // A reference would resolve against the OpenAPI document, not the schema it was written in.
    if (key === '$ref') throw new Error(`openapi: ${at}/$ref: inline the referenced schema before documenting`);
    if (key === '$id' || key === '$schema' || key === 'nullable') continue;
    if (key === 'items' && Array.isArray(value)) {
      out['prefixItems'] = value.map((s, i) => toJsonSchema2020(s, `${at}/items/${i}`));
      if (Object.hasOwn(src, 'additionalItems')) out['items'] = toJsonSchema2020(src['additionalItems'], `${at}/additionalItems`);
      continue;
    }
    // Draft-07 additionalItems means something only beside tuple items (handled above).
    if (key === 'additionalItems') continue;
    if (key === 'dependencies') throw new Error(`openapi: ${at}/dependencies: split into dependentRequired/dependentSchemas before documenting`);
    const name = key === 'definitions' ? '$defs' : key;
    if (SCHEMA_MAPS.has(key)) {
      out[name] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, s]) => [k, toJsonSchema2020(s, `${at}/${key}/${k}`)]));
    } else if (SCHEMA_ONE.has(key)) {
      out[name] = toJsonSchema2020(value, `${at}/${key}`);
    } else if (SCHEMA_LISTS.has(key)) {
      out[name] = (value as unknown[]).map((s, i) => toJsonSchema2020(s, `${at}/${key}/${i}`));
    } else {
      // Values (enum, const, required, pattern, bounds): copied so the document never aliases a validator's schema.
      out[name] = structuredClone(value);
    }
  }
  if (src['nullable'] === true && typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
  return out;
}
