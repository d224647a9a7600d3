import { parseCsv, readFormulaSafe } from '../export/csv';
import { ipAddressFiles, phoneNumberFiles } from './disclosure-files';

const read = (csv: Buffer) => parseCsv(csv.toString('utf8')).map((r) => r.cells.map(readFormulaSafe));

describe('disclosure files', () => {
  it('phone numbers: JSON with the exact values, CSV through the formula-safe writer', () => {
    const records = [
      { accountId: 'user-1', phone: '+4915112345678', phoneCountry: 'DE' },
      { accountId: '=HYPERLINK("x")', phone: '+77011234567', phoneCountry: 'KZ' },
    ];
    const [json, csv] = phoneNumberFiles(records);
    expect(json?.name).toBe('phone-numbers.json');
    expect(JSON.parse(json?.content.toString('utf8') ?? '')).toEqual(records);
    const text = csv?.content.toString('utf8') ?? '';
    // A leading + is a formula to a spreadsheet: the cell carries OWASP's apostrophe.
    expect(text.split('\r\n')[1]).toBe("user-1,'+4915112345678,DE");
    expect(text).not.toMatch(/(^|,)=/m);
    expect(read(csv?.content ?? Buffer.alloc(0))).toEqual([['accountId', 'phone', 'phoneCountry'], ...records.map((r) => [r.accountId, r.phone, r.phoneCountry])]);
    expect([json?.records, csv?.records]).toEqual([2, 2]);
  });

  it('sign-ins: built page by page into one JSON array and one CSV, only accountId, ip and at', async () => {
    const pages = [
      [{ accountId: 'a', ip: '198.51.100.7', at: '2026-01-01T00:00:00.000Z' }],
      [],
      [
        { accountId: 'a', ip: '2001:db8::1', at: '2026-01-02T00:00:00.000Z' },
        // A record with more on it than a sign-in: the extra field is not written.
        { accountId: 'b', ip: '203.0.113.9', at: '2026-01-03T00:00:00.000Z', userAgent: 'secret' } as never,
      ],
    ];
    async function* gen() {
      for (const p of pages) yield p;
    }
    const [json, csv] = await ipAddressFiles(gen());
    const expected = pages.flat().map(({ accountId, ip, at }) => ({ accountId, ip, at }));
    expect(JSON.parse(json?.content.toString('utf8') ?? '')).toEqual(expected);
    expect(read(csv?.content ?? Buffer.alloc(0))).toEqual([['accountId', 'ip', 'at'], ...expected.map((r) => [r.accountId, r.ip, r.at])]);
    expect(json?.content.toString('utf8')).not.toContain('secret');
    expect([json?.records, csv?.records]).toEqual([3, 3]);
  });

  it('no sign-ins: an empty array and a header-only CSV', async () => {
    const [json, csv] = await ipAddressFiles([]);
    expect(json?.content.toString()).toBe('[]\n');
    expect(csv?.content.toString()).toBe('accountId,ip,at\r\n');
    expect(JSON.parse(phoneNumberFiles([])[0]?.content.toString() ?? '')).toEqual([]);
  });
});
