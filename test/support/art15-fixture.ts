import fs from 'node:fs';
import path from 'node:path';
import type { Art15Records } from '@takedown/shared';

/** The Art. 15 fixture (test/fixtures/art15-records.json): the records, each with a fixture id, and the period they are counted for. */
export type Art15Fixture = Art15Records & { period: string } & {
  notices: (Art15Records['notices'][number] & { id: string })[];
  legalOrders: (Art15Records['legalOrders'][number] & { id: string })[];
  statements: (Art15Records['statements'][number] & { puid: string })[];
  appeals: (Art15Records['appeals'][number] & { id: string })[];
};

export function art15Fixture(): Art15Fixture {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'art15-records.json'), 'utf8')) as Art15Fixture;
}
