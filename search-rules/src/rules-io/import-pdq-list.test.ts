import { RuleImportError } from './import-rules';
import { parsePdqList } from './import-pdq-list';

const H1 = 'd8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22';
const H2 = '38a50efd71c83f429013d68d0ffffc52e34e0e15ada952a9d29684214aa9e5af';
const opts = { list: { name: 'ncmec-2026-11', source: 'NCMEC via HMA' }, category: 'csam' as const, action: 'auto_remove' as const, createdBy: 'lead-1', createdAt: '2026-11-30T00:00:00.000Z' };

function problemsOf(text: string) {
  try {
    parsePdqList(text, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(RuleImportError);
    return (err as RuleImportError).problems;
  }
  throw new Error('accepted');
}

describe('parsePdqList', () => {
  test('headerless CSV hash,quality,extra', () => {
    const rules = parsePdqList(`${H1},100,photo-1.jpg\n${H2.toUpperCase()},87,photo-2.jpg\n`, opts);
    expect(rules.map((r) => [r.id, r.pattern, r.quality])).toEqual([
      [`pdq.ncmec-2026-11.${H1}`, H1, 100],
      [`pdq.ncmec-2026-11.${H2}`, H2, 87],
    ]);
    expect(rules[0]?.hashList).toEqual({ name: 'ncmec-2026-11', source: 'NCMEC via HMA', threshold: 31 });
    expect(rules[0]?.scope).toEqual(['content']);
  });

  test('TSV with a header in any column order; hash only; comments, blanks and repeats', () => {
    expect(parsePdqList(`filename\tpdq_quality\tpdq_hash\na.jpg\t90\t${H1}\r\n\n# note\nb.jpg\t91\t${H1}\n`, opts).map((r) => r.pattern)).toEqual([H1]);
    expect(parsePdqList(`${H1}\n${H2}\n`, { ...opts, list: { ...opts.list, threshold: 20 } }).map((r) => r.hashList?.threshold)).toEqual([20, 20]);
  });

  test('bad rows are refused with their line and field, nothing imported', () => {
    expect(problemsOf(`hash,quality\n${H1},100\nnot-a-hash,90\n${H2},30\n${H2},high\n`)).toEqual([
      { line: 3, field: 'hash', message: expect.stringMatching(/not a PDQ hash/) },
      { line: 4, field: 'quality', message: expect.stringMatching(/quality 30 is below 50/) },
      { line: 5, field: 'quality', message: expect.stringMatching(/integer 0–100/) },
    ]);
    expect(problemsOf('name,size\nx,1\n')[0]).toMatchObject({ line: 1, field: 'hash' });
  });

  test('list-wide settings are validated once', () => {
    expect(() => parsePdqList(`${H1}\n`, { ...opts, list: { ...opts.list, threshold: 99 } })).toThrow(/threshold/);
    expect(() => parsePdqList(`${H1}\n`, { ...opts, list: { ...opts.list, name: 'bad name' } })).toThrow(/hashList/);
  });
});
