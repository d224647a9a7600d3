import { ValidationError } from '../errors/takedown-error';
import { validateFeatureDefinition, validateFeatureSet } from './feature-schema';

const NOW = new Date('2026-11-30T12:00:00Z');
const good = () => ({
  key: 'people_nearby',
  description: 'Users near you',
  default: 'on',
  failMode: 'closed',
  rules: [{ id: 'de', countries: ['DE'], platforms: ['ios'], state: 'off', reason: 'court order', legalBasis: { text: 'LG Berlin', reference: '27 O 1/26' }, expiresAt: '2027-01-01T00:00:00Z' }],
});
/** The field a ValidationError names (undefined: no error). */
const fieldOf = (fn: () => unknown): string | undefined => expectError(fn)?.field;
const expectError = (fn: () => unknown): ValidationError | undefined => {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  if (caught !== undefined) expect(caught).toBeInstanceOf(ValidationError);
  return caught as ValidationError | undefined;
};

describe('feature schema', () => {
  it('accepts a well-formed feature', () => {
    expect(validateFeatureDefinition(good(), NOW).key).toBe('people_nearby');
    expect(validateFeatureDefinition({ ...good(), enforcement: { search: { geoFields: ['location', 'user.location'] } } }, NOW).enforcement).toEqual({ search: { geoFields: ['location', 'user.location'] } });
  });

  it.each([
    ['a bad country', (f: any) => (f.rules[0].countries = ['DE', 'XX']), '/rules/0/countries/1'],
    ['a reserved code', (f: any) => (f.rules[0].countries = ['UK']), '/rules/0/countries/0'],
    ['a bad platform', (f: any) => (f.rules[0].platforms = ['symbian']), '/rules/0/platforms/0'],
    ['a bad key', (f: any) => (f.key = 'People Nearby'), '/key'],
    ['a wildcard geo field', (f: any) => (f.enforcement = { search: { geoFields: ['location', 'user.*'] } }), '/enforcement/search/geoFields/1'],
    ['no geo fields', (f: any) => (f.enforcement = { search: { geoFields: [] } }), '/enforcement/search/geoFields'],
    ['an unknown enforcement point', (f: any) => (f.enforcement = { chat: {} }), '/enforcement/chat'],
    ['a bad fail mode', (f: any) => (f.failMode = 'maybe'), '/failMode'],
    ['no legal basis', (f: any) => delete f.rules[0].legalBasis, '/rules/0/legalBasis'],
    ['no reference', (f: any) => delete f.rules[0].legalBasis.reference, '/rules/0/legalBasis/reference'],
    ['an expired rule', (f: any) => (f.rules[0].expiresAt = '2026-11-30T11:00:00Z'), '/rules/0/expiresAt'],
    ['a repeated rule id', (f: any) => f.rules.push({ ...f.rules[0] }), '/rules/1/id'],
    ['an empty age range', (f: any) => Object.assign(f.rules[0], { accountAgeDaysAtLeast: 30, accountAgeDaysBelow: 30 }), '/rules/0/accountAgeDaysBelow'],
    ['a bad standing', (f: any) => (f.rules[0].standing = ['vip']), '/rules/0/standing/0'],
  ])('refuses %s, naming the field', (_what, change, field) => {
    const f = good();
    change(f);
    expect(fieldOf(() => validateFeatureDefinition(f, NOW))).toBe(field);
  });

  it('names the feature in a publish', () => {
    expect(fieldOf(() => validateFeatureSet([good()], new Date('2027-02-01T00:00:00Z')))).toBe('/features/people_nearby/rules/0/expiresAt');
  });
});
