import { csvRow, toCsv } from '../export/csv';
import type { PhoneRecord, SignIn } from './subscriber-source';

/** The data types a legal request may ask for; nothing else can be disclosed. */
export const DISCLOSURE_DATA_TYPES = ['ip_addresses', 'phone_number'] as const;
export type DisclosureDataType = (typeof DISCLOSURE_DATA_TYPES)[number];

/** One file of a disclosure package. */
export interface DisclosureFile {
  /** Lower-case letters, digits, `.`, `_`, `-`: safe as a file name on any system an agency extracts it to. */
  name: string;
  mediaType: 'application/json' | 'text/csv';
  content: Buffer;
  /** Records the file holds (rows after the header, elements of the array). */
  records: number;
}

export const PACKAGE_FILE_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

const PHONE_HEADER = ['accountId', 'phone', 'phoneCountry'] as const;
const SIGN_IN_HEADER = ['accountId', 'ip', 'at'] as const;

/**
 * phone-numbers.json and phone-numbers.csv. The JSON is an array with one
 * record per line; the CSV goes through the shared formula-safe writer, so
 * an E.164 number, which starts with "+", is written with a leading
 * apostrophe (the JSON carries the exact value).
 */
export function phoneNumberFiles(records: readonly PhoneRecord[]): DisclosureFile[] {
  const json = jsonArray(records.map((r) => phoneJson(r)));
  const csv = toCsv(PHONE_HEADER, records.map((r) => [r.accountId, r.phone, r.phoneCountry]));
  return [
    { name: 'phone-numbers.json', mediaType: 'application/json', content: Buffer.from(json, 'utf8'), records: records.length },
    { name: 'phone-numbers.csv', mediaType: 'text/csv', content: Buffer.from(csv, 'utf8'), records: records.length },
  ];
}

/**
 * ip-addresses.json and ip-addresses.csv, built a page at a time as the
 * sign-ins arrive (a year of a busy account is tens of thousands of rows).
 */
export async function ipAddressFiles(pages: AsyncIterable<readonly SignIn[]> | Iterable<readonly SignIn[]>): Promise<DisclosureFile[]> {
  const json: Buffer[] = [];
  const csv: Buffer[] = [Buffer.from(`${csvRow(SIGN_IN_HEADER)}\r\n`, 'utf8')];
  let records = 0;
  for await (const page of pages) {
    if (page.length === 0) continue;
    let j = records === 0 ? '[\n' : ',\n';
    let c = '';
    for (let i = 0; i < page.length; i++) {
      const r = page[i] as SignIn;
      j += i === 0 ? signInJson(r) : `,\n${signInJson(r)}`;
      c += `${csvRow([r.accountId, r.ip, r.at])}\r\n`;
    }
    records += page.length;
    json.push(Buffer.from(j, 'utf8'));
    csv.push(Buffer.from(c, 'utf8'));
  }
  json.push(Buffer.from(records === 0 ? '[]\n' : '\n]\n', 'utf8'));
  return [
    { name: 'ip-addresses.json', mediaType: 'application/json', content: Buffer.concat(json), records },
    { name: 'ip-addresses.csv', mediaType: 'text/csv', content: Buffer.concat(csv), records },
  ];
}

// Written field by field, so the files hold these fields in this order and nothing else a record might carry.
function phoneJson(r: PhoneRecord): string {
  return `{"accountId":${JSON.stringify(r.accountId)},"phone":${JSON.stringify(r.phone)},"phoneCountry":${JSON.stringify(r.phoneCountry)}}`;
}

function signInJson(r: SignIn): string {
  return `{"accountId":${JSON.stringify(r.accountId)},"ip":${JSON.stringify(r.ip)},"at":${JSON.stringify(r.at)}}`;
}

function jsonArray(items: string[]): string {
  return items.length === 0 ? '[]\n' : `[\n${items.join(',\n')}\n]\n`;
}
