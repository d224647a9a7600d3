import type { SignInPeriod } from './sign-in-period';
import type { SubscriberTarget } from './subscriber-target';

/**
 * The platform's subscriber data, as the legal desk may see it: which
 * accounts a request names, their phone numbers, and the addresses they
 * signed in from. Nothing else of an account is ever returned (nor read, in
 * the Elasticsearch implementation): the only way personal data can leave
 * through the desk is through these four methods.
 */
export interface SubscriberSource {
  /** One answer per target, in the order given. */
  resolveTargets(targets: readonly SubscriberTarget[]): Promise<TargetResolution[]>;
  /** The phone number of each account that has one, sorted by account id; accounts without a phone are left out. */
  phoneOf(accountIds: readonly string[]): Promise<PhoneRecord[]>;
  /**
   * Every sign-in of these accounts within the period (from inclusive, to
   * exclusive), sorted by account id, then time, then address; in pages of
   * at most `pageSize`, however many there are (no 10,000-hit cap).
   */
  signIns(accountIds: readonly string[], period: SignInPeriod, opts?: { pageSize?: number }): AsyncIterable<SignIn[]>;
  /** Earliest and latest sign-in held for these accounts (both inclusive), or undefined when none is held. */
  heldRange(accountIds: readonly string[]): Promise<HeldRange | undefined>;
}

export type TargetResolution =
  /** The account ids the target names: one for an account id, a username or a post; a phone number may have several accounts. */
  | { target: SubscriberTarget; status: 'resolved'; accountIds: string[] }
  | { target: SubscriberTarget; status: 'not_found' }
  /** Malformed (e.g. a phone number that is not E.164); `reason` names what is wrong, never echoes the value. */
  | { target: SubscriberTarget; status: 'invalid'; reason: string };

export interface PhoneRecord {
  accountId: string;
  /** E.164, e.g. +4915112345678. */
  phone: string;
  /** ISO 3166-1 alpha-2 of the number, as the platform records it (+7 is RU or KZ). */
  phoneCountry: string;
}

export interface SignIn {
  accountId: string;
  /** IPv4 dotted quad or IPv6 in its canonical compressed form. */
  ip: string;
  /** ISO 8601 UTC, millisecond precision. */
  at: string;
}

export interface HeldRange {
  earliest: string;
  latest: string;
}
