/**
 * The EEA states (EU-27 plus Iceland, Liechtenstein, Norway), ISO 3166-1
 * alpha-2: where a Digital Services Coordinator designates trusted flaggers
 * and where the authorities whose orders Art. 15 counts sit.
 */
export const EEA_MEMBER_STATES = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL',
  'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO',
] as const;
export type EeaMemberState = (typeof EEA_MEMBER_STATES)[number];

export function isEeaMemberState(code: string): code is EeaMemberState {
  return (EEA_MEMBER_STATES as readonly string[]).includes(code);
}
