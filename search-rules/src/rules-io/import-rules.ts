import { ValidationError } from '@takedown/shared';
import { validateRuleDefinition } from '../compile';
import type { Rule } from '../rule';
import { csvField, parseCsv, readFormulaSafe } from '@takedown/shared';

/** Columns of the CSV format, in order; list columns separate items with "|". */
export const CSV_COLUMNS = ['id', 'kind', 'pattern', 'category', 'scope', 'action', 'locales', 'countries', 'expiresAt', 'untilReviewed', 'enabled', 'shadow', 'note', 'createdBy', 'createdAt'] as const;
const LIST_COLUMNS = new Set(['scope', 'locales', 'countries']);
const BOOL_COLUMNS = new Set(['enabled', 'shadow']);

export interface ImportProblem {
  /** CSV: the 1-based line; JSON: the 0-based array index. */
  line?: number;
  index?: number;
  /** The rule field at fault (e.g. "pattern"), when there is one. */
  field?: string;
  message: string;
}

/** An import that failed: every problem found, nothing imported. */
export class RuleImportError extends ValidationError {
  constructor(readonly problems: ImportProblem[]) {
    const first = problems[0];
    const where = first?.line !== undefined ? `line ${first.line}` : first?.index !== undefined ? `rule ${first.index}` : 'file';
    super(`import refused, nothing imported: ${problems.length} problem(s); first at ${where}${first?.field ? ` (${first.field})` : ''}: ${first?.message ?? ''}`, first?.field ? `/${first.field}` : undefined, 'import_refused');
    this.details = { problems };
  }
}

export interface ImportDefaults {
  createdBy: string;
  createdAt: string;
}

/**
 * Parses and validates a whole import (CSV or JSON). All or nothing: any
 * problem anywhere throws RuleImportError listing every problem (up to 100)
 * with its line (CSV) or index (JSON) and field.
 */
export function parseRuleImport(text: string, format: 'csv' | 'json', defaults: ImportDefaults): Rule[] {
  const candidates: { where: Pick<ImportProblem, 'line' | 'index'>; value: unknown }[] = [];
  const problems: ImportProblem[] = [];
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new RuleImportError([{ message: `not valid JSON: ${(err as Error).message}` }]);
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { rules?: unknown } | null)?.rules;
    if (!Array.isArray(list)) throw new RuleImportError([{ message: 'expected an array of rules, or { "rules": [...] }' }]);
    list.forEach((value, index) => candidates.push({ where: { index }, value }));
  } else {
    let rows;
    try {
      rows = parseCsv(text);
    } catch (err) {
      throw new RuleImportError([{ message: (err as Error).message }]);
    }
    const header = rows.shift();
    if (!header) throw new RuleImportError([{ message: 'empty file' }]);
    const columns = header.cells.map((c) => c.trim());
    const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
    if (unknown.length > 0) throw new RuleImportError([{ line: header.line, field: unknown[0], message: `unknown column ${unknown[0]}; columns are ${CSV_COLUMNS.join(', ')}` }]);
    for (const row of rows) {
      if (row.cells.length !== columns.length) {
        problems.push({ line: row.line, message: `${row.cells.length} fields, the header has ${columns.length}` });
        continue;
      }
      const value: Record<string, unknown> = {};
      columns.forEach((col, i) => {
        // A quoted cell is taken as written (csvField quotes values with edge spaces); an unquoted one may be hand-padded.
        const raw = row.cells[i] ?? '';
        const cell = readFormulaSafe(row.quoted[i] ? raw : raw.trim());
        if (cell === '') return;
        if (LIST_COLUMNS.has(col)) value[col] = cell.split('|').map((s) => s.trim()).filter((s) => s !== '');
        else if (BOOL_COLUMNS.has(col)) value[col] = cell === 'true' ? true : cell === 'false' ? false : cell;
        else value[col] = cell;
      });
      candidates.push({ where: { line: row.line }, value });
    }
  }

  const rules: Rule[] = [];
  const seen = new Map<string, Pick<ImportProblem, 'line' | 'index'>>();
  for (const { where, value } of candidates) {
    if (problems.length >= 100) break;
    // Provenance is the importer's, never the file's: who and when come last.
    const withDefaults = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(value as object), ...defaults } : value;
    try {
      const rule = validateRuleDefinition(withDefaults);
      const before = seen.get(rule.id);
      if (before) {
        problems.push({ ...where, field: 'id', message: `duplicate id ${rule.id} (first at ${before.line !== undefined ? `line ${before.line}` : `rule ${before.index}`})` });
        continue;
      }
      seen.set(rule.id, where);
      rules.push(rule);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const field = err.field?.replace(/^\//, '').split('/')[0];
      problems.push({ ...where, ...(field ? { field } : {}), message: err.message.replace(/^rule: /, '') });
    }
  }
  if (problems.length > 0) {
    problems.sort((a, b) => (a.line ?? a.index ?? 0) - (b.line ?? b.index ?? 0));
    throw new RuleImportError(problems);
  }
  return rules;
}

/** Rules as CSV in the import format (round-trips through parseRuleImport). */
export function rulesToCsv(rules: readonly Rule[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rules) {
    lines.push(
      CSV_COLUMNS.map((c) => {
        const v = (r as unknown as Record<string, unknown>)[c];
        if (v === undefined) return '';
        if (Array.isArray(v)) return csvField(v.join('|'));
        return csvField(String(v));
      }).join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
