/**
 * RFC 4180 CSV: fields separated by commas, optionally double-quoted, with
 * "" for a quote inside quotes and newlines allowed inside quotes. Returns
 * rows with the 1-based line each row starts on, for error messages.
 */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let rowHasContent = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell === '') {
      quoted = true;
      rowHasContent = true;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
      rowHasContent = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      cells.push(cell);
      if (rowHasContent || cells.some((c) => c !== '')) rows.push({ line: rowLine, cells });
      cells = [];
      cell = '';
      rowHasContent = false;
      line++;
      rowLine = line;
    } else {
      cell += ch;
      rowHasContent = true;
    }
  }
  if (quoted) throw new Error(`line ${rowLine}: a quoted field is never closed`);
  cells.push(cell);
  if (rowHasContent || cells.some((c) => c !== '')) rows.push({ line: rowLine, cells });
  return rows;
}

/**
 * One CSV field, quoted when it must be. A value a spreadsheet would run as
 * a formula (starting with = + - @, a tab or a carriage return) gets a
 * leading apostrophe, OWASP's rule against CSV injection; readFormulaSafe
 * takes it off again on import.
 */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || /^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell as written by csvField: the apostrophe that neutralised a formula is dropped. */
export function readFormulaSafe(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}
