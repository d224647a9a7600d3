/**
 * RFC 4180 CSV: fields separated by commas, optionally double-quoted, with
 * "" for a quote inside quotes and newlines allowed inside quotes. Returns
 * rows with the 1-based line each row starts on, for error messages, and
 * which cells were quoted (their spaces are data, not padding).
 */
export function parseCsv(text: string): { line: number; cells: string[]; quoted: boolean[] }[] {
  const rows: { line: number; cells: string[]; quoted: boolean[] }[] = [];
  let cells: string[] = [];
  let wasQuoted: boolean[] = [];
  let cell = '';
  let quoted = false;
  let cellQuoted = false;
  let line = 1;
  let rowLine = 1;
  let rowHasContent = false;
  const endCell = () => {
    cells.push(cell);
    wasQuoted.push(cellQuoted);
    cell = '';
    cellQuoted = false;
  };
  const endRow = () => {
    endCell();
    if (rowHasContent || cells.some((c) => c !== '')) rows.push({ line: rowLine, cells, quoted: wasQuoted });
    cells = [];
    wasQuoted = [];
    rowHasContent = false;
  };
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
      cellQuoted = true;
      rowHasContent = true;
    } else if (ch === ',') {
      endCell();
      rowHasContent = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      cell += ch;
      rowHasContent = true;
    }
  }
  if (quoted) throw new Error(`line ${rowLine}: a quoted field is never closed`);
  endRow();
  return rows;
}

/**
 * One CSV field, quoted when it must be. A value a spreadsheet would run as
 * a formula (starting with = + - @, a tab, a carriage return or a line
 * feed, or with = + - @ after leading whitespace or zero-width characters,
 * which importers trim or hide; the full-width ＝ ＋ － ＠ too, which some
 * read as their ASCII forms) gets a
 * leading apostrophe, OWASP's rule against CSV injection; readFormulaSafe
 * takes it off again on import. Every CSV Takedown writes goes through here.
 */
export function csvField(value: string): string {
  if (PLAIN.test(value)) return value;
  const safe = looksLikeFormula(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || /^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * Cells that need nothing: they start with a letter, a digit or _ (so no
 * formula, apostrophe or space) and hold no quote, comma, line break or
 * space. Ids, addresses and timestamps are such cells; one test instead of
 * four keeps exports of hundreds of thousands of rows cheap.
 */
const PLAIN = /^[0-9A-Za-z_][0-9A-Za-z_.:@/+=-]*$/;

// Any whitespace (\s covers tab, NBSP, the em and ideographic spaces and the BOM) or zero-width character before the sign: importers trim or hide them.
const FORMULA_START = /^(?:[\t\r\n]|[\s\u200b-\u200d\u2060]*[=+\-@\uff1d\uff0b\uff0d\uff20])/;

/** A formula, or apostrophes before one: a value that is itself "'=x" gets its own apostrophe too, so import gives back exactly what was exported. */
function looksLikeFormula(value: string): boolean {
  return FORMULA_START.test(value.replace(/^'+/, ''));
}

type CsvCell = string | number | boolean | null | undefined;

/** A whole CSV document: a header row, then one row per record, CRLF line ends (RFC 4180), every cell through csvField. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [csvRow(header), ...rows.map(csvRow)].join('\r\n') + '\r\n';
}

/** One record of a CSV document, without its line end: for writers that build a long document a page at a time (toCsv for the header). */
export function csvRow(cells: readonly CsvCell[]): string {
  let row = '';
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    row += `${i === 0 ? '' : ','}${csvField(c === null || c === undefined ? '' : String(c))}`;
  }
  return row;
}

/** A cell as written by csvField: the apostrophe that neutralised a formula is dropped. */
export function readFormulaSafe(cell: string): string {
  return cell.startsWith("'") && looksLikeFormula(cell.slice(1)) ? cell.slice(1) : cell;
}
