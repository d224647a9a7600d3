import { ValidationError } from '../errors/takedown-error';
import type { HeldRange } from './subscriber-source';

/**
 * A period of sign-ins: `from` inclusive, `to` exclusive, ISO 8601
 * instants. Half-open, so consecutive periods never count a sign-in twice;
 * a request "to 31 March" is `to: <1 April, 00:00 in the order's zone>`.
 */
export interface SignInPeriod {
  from: string;
  to: string;
}

/** The period as epoch milliseconds; throws a ValidationError on a date that does not parse or an empty period. */
export function periodBounds(period: SignInPeriod): { fromMs: number; toMs: number } {
  const fromMs = Date.parse(period.from);
  const toMs = Date.parse(period.to);
  if (Number.isNaN(fromMs)) throw new ValidationError('period.from is not a date', '/period/from');
  if (Number.isNaN(toMs)) throw new ValidationError('period.to is not a date', '/period/to');
  if (toMs <= fromMs) throw new ValidationError('period.to must be after period.from', '/period/to');
  return { fromMs, toMs };
}

/**
 * The part of a period for which sign-ins are held: no earlier than the
 * earliest held, ending just after the latest held. Undefined when nothing
 * held falls in the period.
 */
export function clampPeriod(period: SignInPeriod, held: HeldRange | undefined): SignInPeriod | undefined {
  if (!held) return undefined;
  const { fromMs, toMs } = periodBounds(period);
  const from = Math.max(fromMs, Date.parse(held.earliest));
  const to = Math.min(toMs, Date.parse(held.latest) + 1);
  return from < to ? { from: new Date(from).toISOString(), to: new Date(to).toISOString() } : undefined;
}
