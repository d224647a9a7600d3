import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { StatementProblem } from './stored-statement';
import {
  ACCOUNT_TYPES,
  AUTOMATED_DECISIONS,
  CATEGORY_KEYWORDS,
  DATE_BOUNDS,
  DECISION_ACCOUNTS,
  DECISION_GROUNDS,
  DECISION_MONETARIES,
  DECISION_PROVISIONS,
  DECISION_VISIBILITIES,
  EEA_COUNTRIES,
  END_DATE_FIELDS,
  KEYWORD_OTHER,
  KEYWORDS,
  MAX_LENGTHS,
  SOURCE_TYPES,
  STATEMENT_CATEGORIES,
  TDB_CONTENT_TYPES,
  TDB_LANGUAGES,
  YES_NO,
  type StatementCategory,
} from './tdb-vocabulary';

/**
 * Checks a statement of reasons against the EU Transparency Database's
 * rules before it is stored: a JSON Schema (field types, enums, lengths,
 * formats) compiled with ajv, then the database's conditional rules in
 * code (required_without_all, required_if / exclude_unless, date bounds,
 * the source identity a voluntary statement must not carry). Returns every
 * problem found, each naming the statement's field; none means it passes.
 *
 * Stricter than the database where the database silently drops or blanks a
 * value (a dependent field without its parent, a source identity on an own
 * initiative statement, unknown fields, empty strings, null): Takedown
 * builds these statements itself, so such a value is always a mistake to
 * surface, never something to send.
 */

// Something left after Laravel's TrimStrings (white space, U+FEFF, U+200B, U+200E) has trimmed it.
const notBlank = '[^\\s\\uFEFF\\u200B\\u200E]';
const ymd = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';
const text = (field: keyof typeof MAX_LENGTHS) => ({ type: 'string', minLength: 1, maxLength: MAX_LENGTHS[field], pattern: notBlank });
const oneOf = (values: readonly string[]) => ({ type: 'string', enum: [...values] });
const listOf = (values: readonly string[]) => ({ type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...values] } });
const date = { type: 'string', pattern: ymd };

export const statementSchema = {
  $id: 'takedown/dsa/statement-of-reasons',
  type: 'object',
  additionalProperties: false,
  required: ['decision_ground', 'content_type', 'category', 'territorial_scope', 'content_date', 'application_date', 'decision_facts', 'source_type', 'automated_detection', 'automated_decision', 'puid'],
  properties: {
    decision_visibility: listOf(DECISION_VISIBILITIES),
    decision_visibility_other: text('decision_visibility_other'),
    decision_monetary: oneOf(DECISION_MONETARIES),
    decision_monetary_other: text('decision_monetary_other'),
    decision_provision: oneOf(DECISION_PROVISIONS),
    decision_account: oneOf(DECISION_ACCOUNTS),
    account_type: oneOf(ACCOUNT_TYPES),
    decision_facts: text('decision_facts'),
    decision_ground: oneOf(DECISION_GROUNDS),
    decision_ground_reference_url: { type: 'string', maxLength: MAX_LENGTHS.decision_ground_reference_url, format: 'uri', pattern: '^https?://' },
    illegal_content_legal_ground: text('illegal_content_legal_ground'),
    illegal_content_explanation: text('illegal_content_explanation'),
    incompatible_content_ground: text('incompatible_content_ground'),
    incompatible_content_explanation: text('incompatible_content_explanation'),
    incompatible_content_illegal: oneOf(YES_NO),
    content_type: listOf(TDB_CONTENT_TYPES),
    content_type_other: text('content_type_other'),
    category: oneOf(STATEMENT_CATEGORIES),
    category_addition: listOf(STATEMENT_CATEGORIES),
    category_specification: listOf(KEYWORDS),
    category_specification_other: text('category_specification_other'),
    content_id: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { 'EAN-13': { type: 'string', pattern: '^[0-9]{13}$' } },
    },
    territorial_scope: listOf(EEA_COUNTRIES),
    content_language: oneOf(TDB_LANGUAGES),
    content_date: date,
    application_date: date,
    end_date_visibility_restriction: date,
    end_date_monetary_restriction: date,
    end_date_service_restriction: date,
    end_date_account_restriction: date,
    source_type: oneOf(SOURCE_TYPES),
    source_identity: text('source_identity'),
    automated_detection: oneOf(YES_NO),
    automated_decision: oneOf(AUTOMATED_DECISIONS),
    puid: { type: 'string', minLength: 1, maxLength: MAX_LENGTHS.puid, pattern: '^[a-zA-Z0-9_-]+$' },
  },
} as const;

let compiled: ReturnType<Ajv['compile']> | undefined;
function schemaCheck(): ReturnType<Ajv['compile']> {
  if (!compiled) {
    // Its own instance: every error at once, no defaults filled in (the shared one stops at the first).
    const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: false, coerceTypes: false });
    addFormats(ajv);
    compiled = ajv.compile(statementSchema);
  }
  return compiled;
}

const label = (field: string) => field.replace(/_/g, ' ');

function problemOf(e: ErrorObject): StatementProblem {
  const segments = e.instancePath.split('/').filter(Boolean);
  // The statement's own field: a nested problem (inside content_id) is that field's.
  const named = e.keyword === 'required' || e.keyword === 'additionalProperties' ? String(e.params['missingProperty'] ?? e.params['additionalProperty']) : '';
  const field = segments[0] ?? named;
  const name = label(field);
  switch (e.keyword) {
    case 'required':
      return { field, code: 'required', message: `The ${name} field is required.` };
    case 'additionalProperties':
      return { field, code: 'unknown_field', message: `${field} is not a field of a statement of reasons.` };
    case 'enum':
      return { field, code: 'in', message: `The selected ${name} is invalid.` };
    case 'maxLength':
      return { field, code: 'max', message: `The ${name} field must not be greater than ${String(e.params['limit'])} characters.` };
    case 'minLength':
    case 'minItems':
    case 'minProperties':
      return { field, code: 'required', message: `The ${name} field is required (it is empty).` };
    case 'uniqueItems':
      return { field, code: 'distinct', message: `The ${name} field has a duplicate value.` };
    case 'format':
      return { field, code: 'url', message: `The ${name} field must be a valid URL.` };
    case 'pattern': {
      const pattern = String(e.params['pattern']);
      if (pattern === notBlank) return { field, code: 'required', message: `The ${name} field is required (it is blank).` };
      if (pattern === ymd) return { field, code: 'date_format', message: `The ${name} does not match the format YYYY-MM-DD.` };
      return { field, code: 'format', message: `The ${name} field format is invalid.` };
    }
    case 'type':
      return { field, code: 'type', message: `The ${name} field must be ${e.params['type'] === 'array' ? 'an array' : `a ${String(e.params['type'])}`}.` };
    default:
      return { field, code: e.keyword, message: `The ${name} field is invalid (${e.message ?? e.keyword}).` };
  }
}

/** In a `u` regex a class of surrogates matches only unpaired ones (a pair is one astral code point). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

const has = (s: Record<string, unknown>, k: string) => Object.hasOwn(s, k) && s[k] !== undefined;
const listHas = (v: unknown, x: string) => Array.isArray(v) && v.includes(x);

/** A real calendar day in YYYY-MM-DD (the pattern alone lets 2025-02-30 through). */
function isCalendarDay(v: string): boolean {
  const d = new Date(`${v}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

/** The database's conditional rules, and Takedown's stricter ones (documented above). */
function conditionalProblems(s: Record<string, unknown>): StatementProblem[] {
  const out: StatementProblem[] = [];
  const excluded = (field: string, because: string) => {
    if (has(s, field)) out.push({ field, code: 'excluded', message: `The ${label(field)} field is only taken ${because}; the database would drop it.` });
  };
  const requiredIf = (field: string, because: string) => {
    if (!has(s, field)) out.push({ field, code: 'required_if', message: `The ${label(field)} field is required ${because}.` });
  };

  // Text the database's JSON decoder (PHP json_decode) refuses: a lone UTF-16 surrogate fails the whole bulk call, naming no statement.
  for (const [field, v] of Object.entries(s)) {
    const texts = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    if (texts.some((t) => LONE_SURROGATE.test(t))) out.push({ field, code: 'utf8', message: `The ${label(field)} field holds text the database cannot decode (a lone UTF-16 surrogate).` });
  }

  // required_without_all: at least one kind of restriction.
  const restrictions = ['decision_visibility', 'decision_monetary', 'decision_provision', 'decision_account'];
  if (!restrictions.some((f) => has(s, f))) {
    out.push({ field: 'decision_visibility', code: 'required_without_all', message: 'The decision visibility field is required when none of decision monetary / decision provision / decision account are present.' });
  }

  // required_if / exclude_unless pairs.
  if (listHas(s['decision_visibility'], 'DECISION_VISIBILITY_OTHER')) requiredIf('decision_visibility_other', 'when decision visibility is other');
  else excluded('decision_visibility_other', 'when decision visibility is other');
  if (s['decision_monetary'] === 'DECISION_MONETARY_OTHER') requiredIf('decision_monetary_other', 'when decision monetary is other');
  else excluded('decision_monetary_other', 'when decision monetary is other');
  if (listHas(s['content_type'], 'CONTENT_TYPE_OTHER')) requiredIf('content_type_other', 'when content is other');
  else excluded('content_type_other', 'when content is other');
  if (!listHas(s['category_specification'], KEYWORD_OTHER)) excluded('category_specification_other', 'when the category specification includes KEYWORD_OTHER');

  const ground = s['decision_ground'];
  for (const f of ['illegal_content_legal_ground', 'illegal_content_explanation']) {
    if (ground === 'DECISION_GROUND_ILLEGAL_CONTENT') requiredIf(f, 'when decision ground is illegal content');
    else excluded(f, 'when decision ground is illegal content');
  }
  for (const f of ['incompatible_content_ground', 'incompatible_content_explanation']) {
    if (ground === 'DECISION_GROUND_INCOMPATIBLE_CONTENT') requiredIf(f, 'when decision ground is incompatible content');
    else excluded(f, 'when decision ground is incompatible content');
  }
  if (ground !== 'DECISION_GROUND_INCOMPATIBLE_CONTENT') excluded('incompatible_content_illegal', 'when decision ground is incompatible content');

  // An own-initiative statement names no source (and the database nulls it).
  if (s['source_type'] === 'SOURCE_VOLUNTARY') excluded('source_identity', 'when the source type is not SOURCE_VOLUNTARY');

  // Dates: real days within the database's bounds; end dates not before the application date.
  const checkDate = (field: string, min: string | undefined, max: string) => {
    const v = s[field];
    if (typeof v !== 'string' || !new RegExp(ymd).test(v)) return; // the schema reported it
    if (!isCalendarDay(v)) out.push({ field, code: 'date_format', message: `The ${label(field)} is not a calendar date.` });
    else if (min !== undefined && v < min) out.push({ field, code: 'after_or_equal', message: `The ${label(field)} field must be a date after or equal to ${min}.` });
    else if (v > max) out.push({ field, code: 'before_or_equal', message: `The ${label(field)} field must be a date before or equal to ${max}.` });
  };
  checkDate('content_date', DATE_BOUNDS.content_date.min, DATE_BOUNDS.content_date.max);
  checkDate('application_date', DATE_BOUNDS.application_date.min, DATE_BOUNDS.application_date.max);
  const applied = typeof s['application_date'] === 'string' ? s['application_date'] : undefined;
  for (const f of END_DATE_FIELDS) {
    checkDate(f, applied, DATE_BOUNDS.end_date.max);
  }
  // An end date belongs to a restriction of its kind (Takedown's rule: otherwise it dates nothing).
  const endOf: Record<(typeof END_DATE_FIELDS)[number], string> = {
    end_date_visibility_restriction: 'decision_visibility',
    end_date_monetary_restriction: 'decision_monetary',
    end_date_service_restriction: 'decision_provision',
    end_date_account_restriction: 'decision_account',
  };
  for (const f of END_DATE_FIELDS) if (has(s, f) && !has(s, endOf[f])) excluded(f, `with a ${label(endOf[f])}`);

  // Keywords belong to the category or an additional category (Takedown's rule; KEYWORD_OTHER fits all).
  const categories = [s['category'], ...(Array.isArray(s['category_addition']) ? s['category_addition'] : [])].filter(
    (c): c is StatementCategory => typeof c === 'string' && Object.hasOwn(CATEGORY_KEYWORDS, c),
  );
  const allowed = new Set<string>([KEYWORD_OTHER, ...categories.flatMap((c) => CATEGORY_KEYWORDS[c] as readonly string[])]);
  if (Array.isArray(s['category_specification'])) {
    for (const k of s['category_specification']) {
      if (typeof k === 'string' && KEYWORDS.includes(k) && !allowed.has(k)) {
        out.push({ field: 'category_specification', code: 'keyword_category', message: `The keyword ${k} belongs to none of the statement's categories.` });
      }
    }
  }
  return out;
}

/** Every problem the statement has; an empty list means it passes. */
export function validateStatement(statement: unknown): StatementProblem[] {
  if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) {
    return [{ field: '', code: 'type', message: 'A statement of reasons is a JSON object.' }];
  }
  const check = schemaCheck();
  const problems = check(statement) ? [] : (check.errors ?? []).map(problemOf);
  problems.push(...conditionalProblems(statement as Record<string, unknown>));
  // One problem per field and code (an enum error on two list items is one problem).
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\u0000${p.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
