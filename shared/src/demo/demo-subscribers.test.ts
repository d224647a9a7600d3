import { isIP } from 'node:net';
import { PhoneNumberType, PhoneNumberUtil } from 'google-libphonenumber';
import { isCountryCode } from '../domain/countries';
import { isE164 } from '../legal/subscriber-target';
import { demoAuthorCount, generateDemoCorpus } from './demo-corpus';
import { demoWindowEnd, generateDemoAccounts, generateDemoSignIns } from './demo-subscribers';
import { DEMO_PHONE_PLANS, phoneNumberOf } from './phone-plans';
import { createRng } from './prng';

const now = new Date('2026-11-30T15:30:00Z');
const opts = { accounts: 2000, signIns: 50_000, now };
const phones = PhoneNumberUtil.getInstance();

describe('demo subscribers', () => {
  const accounts = generateDemoAccounts(opts);
  const signIns = [...generateDemoSignIns(accounts, opts)];

  it('is deterministic within a day', () => {
    const later = { ...opts, now: new Date('2026-11-30T23:59:00Z') };
    expect(generateDemoAccounts(later)).toEqual(accounts);
    expect([...generateDemoSignIns(accounts, later)].slice(0, 500)).toEqual(signIns.slice(0, 500));
  });

  it('every number each plan makes is a valid mobile number of its country (libphonenumber’s metadata)', () => {
    const rng = createRng(1);
    expect(DEMO_PHONE_PLANS.length).toBeGreaterThanOrEqual(20);
    for (const plan of DEMO_PHONE_PLANS) {
      expect(isCountryCode(plan.country)).toBe(true);
      for (let i = 0; i < 300; i++) {
        const n = phoneNumberOf(plan, rng);
        const parsed = phones.parse(n);
        if (!phones.isValidNumberForRegion(parsed, plan.country)) throw new Error(`${n} is not a valid ${plan.country} number`);
        expect([PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE]).toContain(phones.getNumberType(parsed));
        expect(isE164(n)).toBe(true);
      }
    }
  });

  it('2,000 accounts with phone numbers in at least 20 countries; every author of the demo corpus has one', () => {
    expect(accounts).toHaveLength(2000);
    expect(new Set(accounts.map((a) => a.phoneCountry)).size).toBeGreaterThanOrEqual(20);
    for (const a of accounts) expect(phones.isValidNumberForRegion(phones.parse(a.phone), a.phoneCountry)).toBe(true);
    expect(new Set(accounts.map((a) => a.username)).size).toBe(2000);
    // Numbers are unique except the few recycled ones (one account in 200).
    expect(new Set(accounts.map((a) => a.phone)).size).toBeGreaterThan(2000 - 2000 / 200 - 5);
    const ids = new Set(accounts.map((a) => a.accountId));
    const authors = new Set(generateDemoCorpus({ count: 6000 }).map((p) => p.authorId));
    expect([...authors].filter((a) => !ids.has(a))).toEqual([]);
    expect(demoAuthorCount(6000)).toBe(600);
    expect(demoAuthorCount(100)).toBe(50);
  });

  it('50,000 sign-ins of those accounts over the last two years, IPv4 and IPv6, after each account was made', () => {
    expect(signIns).toHaveLength(50_000);
    expect(new Set(signIns.map((s) => s.id)).size).toBe(50_000);
    const created = new Map(accounts.map((a) => [a.accountId, Date.parse(a.createdAt)]));
    const end = demoWindowEnd(now);
    let v6 = 0;
    const problems: string[] = [];
    for (const s of signIns) {
      const at = Date.parse(s.at);
      if (!(at >= end - 730 * 86_400_000 && at < end)) problems.push(`${s.id}: ${s.at} outside the two years`);
      if (!(at > (created.get(s.accountId) ?? Infinity))) problems.push(`${s.id}: before its account`);
      const kind = isIP(s.ip);
      if (kind === 6) {
        v6++;
        if (!s.ip.startsWith('2001:db8:')) problems.push(`${s.id}: ${s.ip} outside 2001:db8::/32`);
      } else if (kind !== 4 || !/^(198\.1[89]\.|192\.0\.2\.|198\.51\.100\.|203\.0\.113\.)/.test(s.ip)) problems.push(`${s.id}: ${s.ip} not a reserved address`);
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(v6).toBeGreaterThan(1000);
    expect(v6).toBeLessThan(25_000);
    // Uneven, as real use is: the busiest account has many times the median.
    const per = new Map<string, number>();
    for (const s of signIns) per.set(s.accountId, (per.get(s.accountId) ?? 0) + 1);
    const counts = [...per.values()].sort((a, b) => a - b);
    expect(counts[counts.length - 1]).toBeGreaterThan(4 * (counts[counts.length >> 1] ?? 0));
  });
});
