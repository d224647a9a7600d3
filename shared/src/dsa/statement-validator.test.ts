import { validateStatement } from './statement-validator';
import { EEA_COUNTRIES } from './tdb-vocabulary';

/** A statement that passes; each test changes one thing. */
const good = (): Record<string, unknown> => ({
  puid: 'd_abc-123_X',
  decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
  decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
  illegal_content_legal_ground: 'Narcotics law',
  illegal_content_explanation: 'Offers controlled drugs for sale.',
  content_type: ['CONTENT_TYPE_TEXT'],
  category: 'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS',
  category_specification: ['KEYWORD_PROHIBITED_PRODUCTS'],
  territorial_scope: [...EEA_COUNTRIES],
  content_language: 'EN',
  content_date: '2026-11-01',
  application_date: '2026-11-03',
  decision_facts: 'A moderator reviewed the post after a notice and removed it.',
  source_type: 'SOURCE_ARTICLE_16',
  automated_detection: 'No',
  automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
});

const codes = (s: Record<string, unknown>) => validateStatement(s).map((p) => `${p.field}:${p.code}`);
const without = (s: Record<string, unknown>, ...keys: string[]) => {
  const out = { ...s };
  for (const k of keys) delete out[k];
  return out;
};
const terms = (): Record<string, unknown> => ({
  ...without(good(), 'illegal_content_legal_ground', 'illegal_content_explanation'),
  decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
  incompatible_content_ground: 'Terms of service, section 4',
  incompatible_content_explanation: 'Offers goods the terms do not allow.',
});

describe('validateStatement', () => {
  it('passes a complete statement (both grounds)', () => {
    expect(validateStatement(good())).toEqual([]);
    expect(validateStatement(terms())).toEqual([]);
    expect(validateStatement({ ...terms(), incompatible_content_illegal: 'Yes' })).toEqual([]);
  });

  it('names every missing required field', () => {
    const required = ['decision_ground', 'content_type', 'category', 'territorial_scope', 'content_date', 'application_date', 'decision_facts', 'source_type', 'automated_detection', 'automated_decision', 'puid'];
    for (const f of required) expect(codes(without(good(), f))).toContain(`${f}:required`);
    const problem = validateStatement(without(good(), 'content_date'))[0];
    expect(problem).toEqual({ field: 'content_date', code: 'required', message: 'The content date field is required.' });
  });

  it('refuses blank and empty values, null, unknown fields and non-objects', () => {
    expect(codes({ ...good(), decision_facts: '   ' })).toContain('decision_facts:required');
    expect(codes({ ...good(), content_type: [] })).toContain('content_type:required');
    expect(codes({ ...good(), content_language: null })).toContain('content_language:type');
    expect(codes({ ...good(), url: 'https://example.org' })).toContain('url:unknown_field');
    expect(codes({ ...good(), caseId: 'c_1' })).toContain('caseId:unknown_field');
    expect(validateStatement([])).toEqual([{ field: '', code: 'type', message: 'A statement of reasons is a JSON object.' }]);
  });

  describe('required_without_all: some restriction', () => {
    it('refuses a statement restricting nothing', () => {
      expect(codes(without(good(), 'decision_visibility'))).toEqual(['decision_visibility:required_without_all']);
    });
    it.each([
      ['decision_monetary', 'DECISION_MONETARY_SUSPENSION'],
      ['decision_provision', 'DECISION_PROVISION_TOTAL_SUSPENSION'],
      ['decision_account', 'DECISION_ACCOUNT_SUSPENDED'],
    ])('takes %s alone', (field, value) => {
      expect(validateStatement({ ...without(good(), 'decision_visibility'), [field]: value })).toEqual([]);
    });
  });

  describe('required_if / exclude_unless pairs, both directions', () => {
    it('decision_visibility_other', () => {
      expect(codes({ ...good(), decision_visibility: ['DECISION_VISIBILITY_OTHER'] })).toEqual(['decision_visibility_other:required_if']);
      expect(validateStatement({ ...good(), decision_visibility: ['DECISION_VISIBILITY_OTHER'], decision_visibility_other: 'Hidden from feeds' })).toEqual([]);
      expect(codes({ ...good(), decision_visibility_other: 'Hidden from feeds' })).toEqual(['decision_visibility_other:excluded']);
    });
    it('decision_monetary_other', () => {
      const base = without(good(), 'decision_visibility');
      expect(codes({ ...base, decision_monetary: 'DECISION_MONETARY_OTHER' })).toEqual(['decision_monetary_other:required_if']);
      expect(validateStatement({ ...base, decision_monetary: 'DECISION_MONETARY_OTHER', decision_monetary_other: 'Payouts held' })).toEqual([]);
      expect(codes({ ...base, decision_monetary: 'DECISION_MONETARY_SUSPENSION', decision_monetary_other: 'Payouts held' })).toEqual(['decision_monetary_other:excluded']);
    });
    it('content_type_other', () => {
      expect(codes({ ...good(), content_type: ['CONTENT_TYPE_OTHER'] })).toEqual(['content_type_other:required_if']);
      expect(validateStatement({ ...good(), content_type: ['CONTENT_TYPE_OTHER'], content_type_other: 'Channel' })).toEqual([]);
      expect(codes({ ...good(), content_type_other: 'Channel' })).toEqual(['content_type_other:excluded']);
    });
    it('illegal content ground and explanation', () => {
      expect(codes(without(good(), 'illegal_content_legal_ground'))).toEqual(['illegal_content_legal_ground:required_if']);
      expect(codes(without(good(), 'illegal_content_explanation'))).toEqual(['illegal_content_explanation:required_if']);
      expect(codes({ ...terms(), illegal_content_legal_ground: 'Narcotics law' })).toEqual(['illegal_content_legal_ground:excluded']);
      expect(codes({ ...terms(), illegal_content_explanation: 'x' })).toEqual(['illegal_content_explanation:excluded']);
    });
    it('incompatible content ground, explanation and illegal', () => {
      expect(codes(without(terms(), 'incompatible_content_ground'))).toEqual(['incompatible_content_ground:required_if']);
      expect(codes(without(terms(), 'incompatible_content_explanation'))).toEqual(['incompatible_content_explanation:required_if']);
      expect(codes({ ...good(), incompatible_content_ground: 'ToS 4' })).toEqual(['incompatible_content_ground:excluded']);
      expect(codes({ ...good(), incompatible_content_explanation: 'x' })).toEqual(['incompatible_content_explanation:excluded']);
      expect(codes({ ...good(), incompatible_content_illegal: 'Yes' })).toEqual(['incompatible_content_illegal:excluded']);
      expect(codes({ ...terms(), incompatible_content_illegal: 'yes' })).toEqual(['incompatible_content_illegal:in']);
    });
    it('category_specification_other goes only with KEYWORD_OTHER', () => {
      expect(codes({ ...good(), category_specification_other: 'Counterfeit medicine' })).toEqual(['category_specification_other:excluded']);
      expect(validateStatement({ ...good(), category_specification: ['KEYWORD_OTHER'], category_specification_other: 'Counterfeit medicine' })).toEqual([]);
    });
    it('source_identity is excluded for SOURCE_VOLUNTARY and taken otherwise', () => {
      expect(codes({ ...good(), source_type: 'SOURCE_VOLUNTARY', source_identity: 'Hash scanner' })).toEqual(['source_identity:excluded']);
      expect(validateStatement({ ...good(), source_type: 'SOURCE_VOLUNTARY' })).toEqual([]);
      expect(validateStatement({ ...good(), source_type: 'SOURCE_TRUSTED_FLAGGER', source_identity: 'Safer Internet Centre' })).toEqual([]);
      expect(validateStatement({ ...good(), source_type: 'SOURCE_TYPE_OTHER_NOTIFICATION', source_identity: 'Bundeskriminalamt (DE)' })).toEqual([]);
    });
  });

  describe('dates', () => {
    it('takes YYYY-MM-DD calendar days only', () => {
      expect(codes({ ...good(), content_date: '2026-11-01T10:00:00Z' })).toEqual(['content_date:date_format']);
      expect(codes({ ...good(), content_date: '2026-02-30' })).toEqual(['content_date:date_format']);
      expect(codes({ ...good(), application_date: '' })).toEqual(['application_date:date_format']);
    });
    it('holds content_date within 2000-01-01 … 2038-01-01 and application_date within 2020-01-01 … 2038-01-01, bounds included', () => {
      expect(validateStatement({ ...good(), content_date: '2000-01-01' })).toEqual([]);
      expect(codes({ ...good(), content_date: '1999-12-31' })).toEqual(['content_date:after_or_equal']);
      expect(codes({ ...good(), content_date: '2038-01-02', application_date: '2038-01-01' })).toEqual(['content_date:before_or_equal']);
      expect(validateStatement({ ...good(), application_date: '2020-01-01', content_date: '2019-05-01' })).toEqual([]);
      expect(codes({ ...good(), application_date: '2019-12-31' })).toEqual(['application_date:after_or_equal']);
      expect(codes({ ...good(), application_date: '2038-01-02' })).toEqual(['application_date:before_or_equal']);
    });
    it('takes end dates from the application date up to 2038-01-01, each with a restriction of its kind', () => {
      expect(validateStatement({ ...good(), end_date_visibility_restriction: '2026-11-03' })).toEqual([]);
      expect(validateStatement({ ...good(), end_date_visibility_restriction: '2038-01-01' })).toEqual([]);
      expect(codes({ ...good(), end_date_visibility_restriction: '2026-11-02' })).toEqual(['end_date_visibility_restriction:after_or_equal']);
      expect(codes({ ...good(), end_date_visibility_restriction: '2038-01-02' })).toEqual(['end_date_visibility_restriction:before_or_equal']);
      expect(codes({ ...good(), end_date_account_restriction: '2027-01-01' })).toEqual(['end_date_account_restriction:excluded']);
      expect(validateStatement({ ...good(), decision_account: 'DECISION_ACCOUNT_SUSPENDED', end_date_account_restriction: '2027-02-03' })).toEqual([]);
      expect(codes({ ...good(), end_date_monetary_restriction: '2027-01-01' })).toEqual(['end_date_monetary_restriction:excluded']);
      expect(codes({ ...good(), end_date_service_restriction: '2027-01-01' })).toEqual(['end_date_service_restriction:excluded']);
    });
  });

  describe('values', () => {
    it('refuses enum values outside the v2 lists, including the removed v1 categories and keywords', () => {
      expect(codes({ ...good(), category: 'STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE' })).toContain('category:in');
      expect(codes({ ...good(), category: 'STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT' })).toContain('category:in');
      expect(codes({ ...good(), category_specification: ['KEYWORD_DISINFORMATION'] })).toContain('category_specification:in');
      expect(codes({ ...good(), decision_visibility: ['DECISION_VISIBILITY_CONTENT_HIDDEN'] })).toEqual(['decision_visibility:in']);
      expect(codes({ ...good(), automated_detection: 'yes' })).toEqual(['automated_detection:in']);
      expect(codes({ ...good(), automated_decision: 'Yes' })).toEqual(['automated_decision:in']);
      expect(codes({ ...good(), source_type: 'SOURCE_ARTICLE_9' })).toEqual(['source_type:in']);
      expect(codes({ ...good(), content_type: ['CONTENT_TYPE_IMAGE', 'CONTENT_TYPE_GIF'] })).toEqual(['content_type:in']);
    });
    it('takes the July 2025 categories and keywords', () => {
      expect(validateStatement({ ...good(), category: 'STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN', category_specification: ['KEYWORD_FEMALE_GENDERED_DISINFORMATION'] })).toEqual([]);
      expect(validateStatement({ ...good(), category: 'STATEMENT_CATEGORY_CONSUMER_INFORMATION', category_specification: ['KEYWORD_HIDDEN_ADVERTISEMENT'] })).toEqual([]);
      expect(validateStatement({ ...good(), category: 'STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE', category_specification: undefined })).toEqual([]);
    });
    it('ties keywords to the category or an additional category', () => {
      expect(codes({ ...good(), category_specification: ['KEYWORD_TERRORIST_CONTENT'] })).toEqual(['category_specification:keyword_category']);
      expect(validateStatement({ ...good(), category_addition: ['STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY'], category_specification: ['KEYWORD_PROHIBITED_PRODUCTS', 'KEYWORD_TERRORIST_CONTENT'] })).toEqual([]);
      expect(validateStatement({ ...good(), category_specification: ['KEYWORD_OTHER'] })).toEqual([]);
    });
    it('takes upper-case ISO 639-1 languages only', () => {
      expect(codes({ ...good(), content_language: 'en' })).toEqual(['content_language:in']);
      expect(codes({ ...good(), content_language: 'UN' })).toEqual(['content_language:in']);
      expect(codes({ ...good(), content_language: 'FIL' })).toEqual(['content_language:in']);
      expect(validateStatement(without(good(), 'content_language'))).toEqual([]);
    });
    it('takes EEA countries only, each once', () => {
      expect(codes({ ...good(), territorial_scope: ['DE', 'US'] })).toEqual(['territorial_scope:in']);
      expect(codes({ ...good(), territorial_scope: ['EL'] })).toEqual(['territorial_scope:in']);
      expect(codes({ ...good(), territorial_scope: ['EEA'] })).toEqual(['territorial_scope:in']);
      expect(codes({ ...good(), territorial_scope: ['DE', 'DE'] })).toEqual(['territorial_scope:distinct']);
      expect(validateStatement({ ...good(), territorial_scope: ['IS', 'LI', 'NO', 'GR'] })).toEqual([]);
    });
    it('holds the puid pattern and length', () => {
      for (const puid of ['d with space', 'd:1', 'd.1', 'd/1', 'd\n']) expect(codes({ ...good(), puid })).toEqual(['puid:format']);
      expect(codes({ ...good(), puid: 'a'.repeat(501) })).toEqual(['puid:max']);
      expect(validateStatement({ ...good(), puid: 'a'.repeat(500) })).toEqual([]);
    });
    it('counts maximum lengths in characters (code points), as the database does', () => {
      expect(validateStatement({ ...good(), illegal_content_legal_ground: '😀'.repeat(500) })).toEqual([]);
      expect(codes({ ...good(), illegal_content_legal_ground: 'x'.repeat(501) })).toEqual(['illegal_content_legal_ground:max']);
      expect(codes({ ...good(), illegal_content_explanation: 'x'.repeat(2001) })).toEqual(['illegal_content_explanation:max']);
      expect(codes({ ...good(), decision_facts: 'x'.repeat(5001) })).toEqual(['decision_facts:max']);
      expect(codes({ ...good(), source_identity: 'x'.repeat(501) })).toEqual(['source_identity:max']);
      const p = validateStatement({ ...good(), decision_facts: 'x'.repeat(5001) })[0];
      expect(p?.message).toBe('The decision facts field must not be greater than 5000 characters.');
    });
    it('takes an http(s) reference URL and an EAN-13 content id only', () => {
      expect(validateStatement({ ...good(), decision_ground_reference_url: 'https://eur-lex.europa.eu/eli/reg/2022/2065' })).toEqual([]);
      expect(codes({ ...good(), decision_ground_reference_url: 'not a url' })).toContain('decision_ground_reference_url:url');
      expect(codes({ ...good(), decision_ground_reference_url: 'ftp://example.org/terms' })).toEqual(['decision_ground_reference_url:format']);
      expect(validateStatement({ ...good(), content_id: { 'EAN-13': '0123456789123' } })).toEqual([]);
      expect(codes({ ...good(), content_id: { 'EAN-13': '12345' } })).toEqual(['content_id:format']);
      expect(codes({ ...good(), content_id: { ISBN: '9780306406157' } })).toEqual(['content_id:unknown_field']);
    });
  });
});
