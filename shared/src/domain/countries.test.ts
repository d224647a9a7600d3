import { COUNTRY_CODES, COUNTRY_CODE_LIST, isCountryCode } from './countries';

describe('ISO 3166-1 alpha-2 table', () => {
  it('holds the 249 officially assigned codes, upper case, each once', () => {
    expect(COUNTRY_CODES.size).toBe(249);
    expect(COUNTRY_CODE_LIST).toHaveLength(249);
    for (const c of COUNTRY_CODES) expect(c).toMatch(/^[A-Z]{2}$/);
  });

  it.each(['DE', 'FR', 'US', 'GB', 'SS', 'CW', 'AX'])('knows %s', (c) => expect(isCountryCode(c)).toBe(true));

  it.each(['ZZ', 'XK', 'EU', 'UK', 'AA', 'QZ', 'de', 'DEU', '', '__proto__', 'constructor'])('refuses %p', (c) => expect(isCountryCode(c)).toBe(false));

  it('refuses what is not a string', () => {
    expect(isCountryCode(49)).toBe(false);
    expect(isCountryCode(['DE'])).toBe(false);
  });
});
