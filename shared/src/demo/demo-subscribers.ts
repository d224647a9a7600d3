import { DEMO_PHONE_PLANS, phoneNumberOf, type PhonePlan } from './phone-plans';
import { createRng, pick } from './prng';

/**
 * Deterministic subscriber data for the demo, as a platform's accounts and
 * sign-ins indices would hold it: accounts user-0 … user-(n-1) (the demo
 * corpus's author ids), each with a mobile number, and sign-ins over the two
 * years before `now`. Addresses come from ranges reserved for documentation
 * and benchmarking (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
 * 198.18.0.0/15, 2001:db8::/32), so no demo address is anyone's.
 */
export interface DemoAccount {
  accountId: string;
  username: string;
  phone: string;
  phoneCountry: string;
  createdAt: string;
}

export interface DemoSignIn {
  accountId: string;
  ip: string;
  at: string;
}

export interface DemoSubscriberOptions {
  accounts: number;
  signIns: number;
  /** End of the sign-in window; taken to the start of its UTC day, so one day's runs agree. */
  now: Date;
  seed?: number;
}

const DAY = 86_400_000;
const WINDOW = 730 * DAY;
const SYLLABLES = ['ka', 'mi', 'ro', 'sa', 'te', 'lu', 'na', 'vo', 'zi', 'do', 'fa', 'el', 'an', 'or', 'yu', 'ik', 'ba', 'ne'];

export function demoWindowEnd(now: Date): number {
  return Math.floor(now.getTime() / DAY) * DAY;
}

export function generateDemoAccounts(opts: DemoSubscriberOptions): DemoAccount[] {
  const rng = createRng((opts.seed ?? 20261130) ^ 0x5eed);
  const end = demoWindowEnd(opts.now);
  const totalWeight = DEMO_PHONE_PLANS.reduce((a, p) => a + p.weight, 0);
  const used = new Set<string>();
  const accounts: DemoAccount[] = [];
  for (let i = 0; i < opts.accounts; i++) {
    let plan = DEMO_PHONE_PLANS[0] as PhonePlan;
    let r = rng() * totalWeight;
    for (const p of DEMO_PHONE_PLANS) {
      plan = p;
      r -= p.weight;
      if (r < 0) break;
    }
    let phone = phoneNumberOf(plan, rng);
    // One account in 200 has a number an older account had (numbers are recycled); the rest are unique.
    const older = accounts[Math.floor(rng() * accounts.length)];
    if (i % 200 === 199 && older) {
      phone = older.phone;
      plan = DEMO_PHONE_PLANS.find((p) => p.country === older.phoneCountry) ?? plan;
    } else {
      for (let tries = 0; used.has(phone) && tries < 100; tries++) phone = phoneNumberOf(plan, rng);
    }
    used.add(phone);
    const username = `${pick(rng, SYLLABLES)}${pick(rng, SYLLABLES)}${pick(rng, ['', '.', '_'])}${pick(rng, SYLLABLES)}${i}`;
    // Created before the sign-in window opens, so every sign-in comes after the account.
    const createdAt = new Date(end - WINDOW - Math.floor(rng() * 3 * 365 * DAY) - DAY).toISOString();
    accounts.push({ accountId: `user-${i}`, username, phone, phoneCountry: plan.country, createdAt });
  }
  return accounts;
}

/**
 * `opts.signIns` sign-ins spread over the accounts unevenly (a few heavy
 * users, many light ones), each account mostly from its own one to three
 * home addresses, a fifth of accounts also over IPv6, and now and then
 * from somewhere else. Yields them with a stable id per sign-in.
 */
export function* generateDemoSignIns(accounts: readonly DemoAccount[], opts: DemoSubscriberOptions): Generator<DemoSignIn & { id: string }> {
  const rng = createRng((opts.seed ?? 20261130) ^ 0x519);
  const end = demoWindowEnd(opts.now);
  const weights = accounts.map(() => 0.05 + rng() ** 3);
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((opts.signIns * w) / sum));
  // The remainder of the rounding goes to the first accounts, so the total is exact.
  let rest = opts.signIns - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % counts.length, rest--) counts[i] = (counts[i] ?? 0) + 1;
  for (const [a, account] of accounts.entries()) {
    const homes = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => ipv4(rng));
    const v6 = rng() < 0.2 ? ipv6Prefix(rng) : undefined;
    for (let k = 0; k < (counts[a] ?? 0); k++) {
      const r = rng();
      const ip = r < 0.15 ? ipv4(rng) : v6 && r < 0.45 ? `${v6}:${hex16(rng)}` : pick(rng, homes);
      const at = new Date(end - 1 - Math.floor(rng() * WINDOW)).toISOString();
      yield { id: `${account.accountId}-s${k}`, accountId: account.accountId, ip, at };
    }
  }
}

const V4_DOC = ['192.0.2', '198.51.100', '203.0.113'];

/** Mostly 198.18.0.0/15 (set aside for benchmarking, RFC 2544), a tenth from the documentation ranges. */
function ipv4(rng: () => number): string {
  if (rng() < 0.1) return `${pick(rng, V4_DOC)}.${1 + Math.floor(rng() * 254)}`;
  return `198.${18 + Math.floor(rng() * 2)}.${Math.floor(rng() * 256)}.${1 + Math.floor(rng() * 254)}`;
}

function ipv6Prefix(rng: () => number): string {
  return `2001:db8:${hex16(rng)}:${hex16(rng)}:${hex16(rng)}:${hex16(rng)}:${hex16(rng)}`;
}

function hex16(rng: () => number): string {
  return Math.floor(rng() * 65536).toString(16);
}
