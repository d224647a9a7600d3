import type { TargetKind } from './legal-vocabulary';

/** What a legal request may name as a target (kinds: the desk's vocabulary, TARGET_KINDS). */
export interface SubscriberTarget {
  kind: TargetKind;
  value: string;
}

/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all (7 at least: the shortest numbers in use). */
const E164 = /^\+[1-9]\d{6,14}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

export function isE164(value: string): boolean {
  return E164.test(value);
}

/**
 * The form a target is looked up in: a phone number without the spaces,
 * dashes, dots and brackets orders write it with; a username without its
 * leading @. Reasons never repeat the value (they may reach logs).
 */
export function normalizeTarget(target: SubscriberTarget): { ok: true; value: string } | { ok: false; reason: string } {
  const raw = typeof target.value === 'string' ? target.value.trim() : '';
  switch (target.kind) {
    case 'phone_number': {
      const value = raw.replace(/[\s\u00a0().\-]/g, '');
      return isE164(value) ? { ok: true, value } : { ok: false, reason: 'not an E.164 phone number (+, country code, at most 15 digits)' };
    }
    case 'username': {
      const value = raw.replace(/^@/, '');
      if (value.length === 0 || value.length > 200 || /\s/.test(value) || CONTROL.test(value)) return { ok: false, reason: 'not a username (1-200 characters, no spaces)' };
      return { ok: true, value };
    }
    case 'account_id':
    case 'content_id': {
      // 512 bytes is the longest Elasticsearch _id; account ids are keywords of the same kind.
      if (raw.length === 0 || Buffer.byteLength(raw) > 512 || CONTROL.test(raw)) return { ok: false, reason: `not ${target.kind === 'account_id' ? 'an account' : 'a content'} id (1-512 bytes, no control characters)` };
      return { ok: true, value: raw };
    }
    default:
      return { ok: false, reason: 'unknown target kind' };
  }
}
