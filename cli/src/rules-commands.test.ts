import { progressBar, rulesCommand } from './rules-commands';

describe('progressBar', () => {
  it('fills in proportion and never overflows', () => {
    expect(progressBar(0, 10, 10)).toBe('[----------]   0.0%');
    expect(progressBar(5, 10, 10)).toBe('[#####-----]  50.0%');
    expect(progressBar(15, 10, 10)).toBe('[##########] 100.0%');
    expect(progressBar(0, 0, 4)).toBe('[####] 100.0%');
  });
});

describe('rules import-pdq', () => {
  it('sends the file as a pdq-list import with the list named on the command line', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pdq-cli-')), 'list.tsv');
    fs.writeFileSync(file, `${'ab'.repeat(32)}\t90\n`);
    const calls: unknown[] = [];
    const api = { call: async (_m: string, _p: string, body?: unknown) => (calls.push(body), { status: 200, body: { imported: 1 }, text: '' }) };
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await rulesCommand(api, ['import-pdq', '--list', 'ncmec', file, '--source', 'NCMEC', '--category', 'csam', '--action', 'auto_remove', '--threshold', '20'])).toBe(0);
      expect(calls).toEqual([{ format: 'pdq-list', content: `${'ab'.repeat(32)}\t90\n`, mode: 'merge', list: { name: 'ncmec', source: 'NCMEC', category: 'csam', action: 'auto_remove', threshold: 20 } }]);
      expect(await rulesCommand(api, ['import-pdq', file, '--list', 'ncmec'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });
});
