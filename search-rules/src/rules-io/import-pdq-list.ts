import { parseCsv, readFormulaSafe } from '@takedown/shared';
import { validateRuleDefinition } from '../compile';
import { PDQ_DEFAULT_THRESHOLD, PDQ_MIN_QUALITY, type HashListRef, type Rule, type RuleAction } from '../rule';
import type { Category } from '@takedown/shared';
import { RuleImportError, type ImportProblem } from './import-rules';

/** A ruleset holds at most 200,000 rules; one list cannot be larger. */
export const PDQ_LIST_MAX_ROWS = 200_000;
const MAX_PROBLEMS = 100;

/** Header names the common PDQ list formats use for each column (ThreatExchange, HMA, pdq-photo-hasher). */
const HASH_COLUMNS = new Set(['hash', 'pdq', 'pdq_hash', 'pdqhash', 'signal', 'signal_value', 'indicator']);
const QUALITY_COLUMNS = new Set(['quality', 'pdq_quality']);

export interface PdqListImport {
  /** The list: name, source and threshold are the same on every rule it produces. */
  list: HashListRef;
  category: Category;
  action: RuleAction;
  createdBy: string;
  createdAt: string;
}

/**
 * Parses a PDQ hash list into `pdq` rules, all or nothing. Accepts CSV or
 * TSV (a tab on the first line means TSV), with or without a header: rows
 * are `hash[,quality][,anything else]`; with a header, the hash and quality
 * columns are found by name. Blank lines and `#` comments are skipped; a
 * hash repeated in the list is kept once. A row whose quality is below
 * PDQ_MIN_QUALITY is refused. Throws RuleImportError naming each bad row's
 * line and field (`hash` or `quality`).
 */
export function parsePdqList(text: string, opts: PdqListImport): Rule[] {
  // Checked before any row: the name goes into every rule id.
  if (!/^[A-Za-z0-9._-]{1,50}$/.test(opts.list.name)) throw new RuleImportError([{ field: 'hashList', message: '/hashList/name must be 1–50 of A–Z a–z 0–9 . _ -' }]);
  const rows = splitRows(text);
  const problems: ImportProblem[] = [];
  let hashCol = 0;
  let qualityCol: number | undefined = 1;
  const first = rows[0];
  if (first && !/^[0-9a-fA-F]{64}$/.test(first.cells[0] ?? '')) {
    const names = first.cells.map((c) => c.trim().toLowerCase());
    hashCol = names.findIndex((n) => HASH_COLUMNS.has(n));
    const q = names.findIndex((n) => QUALITY_COLUMNS.has(n));
    qualityCol = q === -1 ? undefined : q;
    if (hashCol === -1) throw new RuleImportError([{ line: first.line, field: 'hash', message: `no hash column in the header; name it one of ${[...HASH_COLUMNS].join(', ')}` }]);
    rows.shift();
  }
  if (rows.length > PDQ_LIST_MAX_ROWS) throw new RuleImportError([{ message: `${rows.length} rows; a list holds at most ${PDQ_LIST_MAX_ROWS}` }]);

  const slug = opts.list.name.toLowerCase();
  const seen = new Set<string>();
  const rules: Rule[] = [];
  for (const row of rows) {
    if (problems.length >= MAX_PROBLEMS) break;
    const hash = (row.cells[hashCol] ?? '').trim().toLowerCase();
    const qualityCell = qualityCol === undefined ? '' : (row.cells[qualityCol] ?? '').trim();
    if (!/^[0-9a-f]{64}$/.test(hash)) {
      problems.push({ line: row.line, field: 'hash', message: `not a PDQ hash (64 hex digits): ${JSON.stringify(hash.slice(0, 80))}` });
      continue;
    }
    let quality: number | undefined;
    if (qualityCell !== '') {
      if (!/^\d{1,3}$/.test(qualityCell) || Number(qualityCell) > 100) {
        problems.push({ line: row.line, field: 'quality', message: `quality must be an integer 0–100, got ${JSON.stringify(qualityCell.slice(0, 20))}` });
        continue;
      }
      quality = Number(qualityCell);
      if (quality < PDQ_MIN_QUALITY) {
        problems.push({ line: row.line, field: 'quality', message: `quality ${quality} is below ${PDQ_MIN_QUALITY}: a low-quality hash matches unrelated images` });
        continue;
      }
    }
    if (seen.has(hash)) continue;
    seen.add(hash);
    const candidate = {
      id: `pdq.${slug}.${hash}`,
      kind: 'pdq',
      pattern: hash,
      category: opts.category,
      scope: ['content'],
      action: opts.action,
      hashList: { threshold: PDQ_DEFAULT_THRESHOLD, ...opts.list },
      ...(quality !== undefined ? { quality } : {}),
      createdBy: opts.createdBy,
      createdAt: opts.createdAt,
    };
    try {
      rules.push(validateRuleDefinition(candidate));
    } catch (err) {
      // The list-wide settings (name, threshold, category, action) are wrong: the same for every row, so say it once.
      const field = (err as { field?: string }).field?.replace(/^\//, '').split('/')[0];
      throw new RuleImportError([{ ...(field ? { field } : {}), message: (err as Error).message.replace(/^rule: /, '') }]);
    }
  }
  if (problems.length > 0) throw new RuleImportError(problems);
  return rules;
}

function splitRows(text: string): { line: number; cells: string[] }[] {
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
  let rows: { line: number; cells: string[] }[];
  if (firstLine.includes('\t')) {
    rows = text.split('\n').map((l, i) => ({ line: i + 1, cells: l.replace(/\r$/, '').split('\t') }));
  } else {
    try {
      rows = parseCsv(text).map((r) => ({ line: r.line, cells: r.cells.map((c) => readFormulaSafe(c)) }));
    } catch (err) {
      throw new RuleImportError([{ message: (err as Error).message }]);
    }
  }
  return rows.filter((r) => r.cells.some((c) => c.trim() !== '') && !(r.cells[0] ?? '').trimStart().startsWith('#'));
}
