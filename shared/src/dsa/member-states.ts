import { EEA_COUNTRIES } from './tdb-vocabulary';

/**
 * The EEA states (EU-27 plus Iceland, Liechtenstein, Norway), ISO 3166-1
 * alpha-2: where a Digital Services Coordinator designates trusted flaggers
 * and where the authorities whose orders Art. 15 counts sit. The same list
 * as a statement's territorial scope.
 */
export const EEA_MEMBER_STATES = EEA_COUNTRIES;
export type EeaMemberState = (typeof EEA_MEMBER_STATES)[number];

export function isEeaMemberState(code: string): code is EeaMemberState {
  return (EEA_MEMBER_STATES as readonly string[]).includes(code);
}
