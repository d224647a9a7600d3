import { tdbStatement } from '../support/stored-statements';
import { validateTdbStatement } from '../support/tdb-rules';
import { startTdbStandIn } from '../support/tdb-stand-in';

/** The stand-in must refuse what the database refuses, or the submitter's tests prove nothing. */
describe('the stand-in database rules', () => {
  const ok = (s: Record<string, unknown>) => validateTdbStatement(s).errors;

  it('accepts a complete statement and keeps only the fields the database knows', () => {
    expect(ok(tdbStatement('p-1'))).toEqual({});
    expect(validateTdbStatement({ ...tdbStatement('p-1'), caseId: 'internal' }).kept).not.toHaveProperty('caseId');
  });

  it.each([
    ['content_language', { content_language: 'UN' }, 'The selected content language is invalid.'],
    ['content_language', { content_language: 'de' }, 'The selected content language is invalid.'],
    ['category', { category: 'STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS' }, 'The selected category is invalid.'],
    ['category_specification', { category_specification: ['KEYWORD_DISINFORMATION'] }, 'The selected category specification is invalid.'],
    ['territorial_scope', { territorial_scope: ['EL'] }, 'The selected territorial scope is invalid.'],
    ['content_date', { content_date: '2026-11-31' }, 'The content date does not match the format YYYY-MM-DD.'],
    ['content_date', { content_date: '' }, 'The content date field is required.'],
    ['application_date', { application_date: '2019-12-31' }, 'The application date field must be a date after or equal to 2020-01-01.'],
    ['automated_decision', { automated_decision: 'No' }, 'The selected automated decision is invalid.'],
    ['puid', { puid: 'has space' }, 'The puid field format is invalid.'],
    ['illegal_content_legal_ground', { illegal_content_legal_ground: '' }, 'The illegal content legal ground field is required when decision ground is illegal content.'],
    ['content_type', { content_type: [] }, 'The content type field is required.'],
  ])('refuses %s: %j', (field, change, message) => {
    expect(ok({ ...tdbStatement('p-1'), ...change })[field]).toEqual([message]);
  });

  it('needs one of the four decision fields, and the ground-specific fields of the ground given', () => {
    const s = tdbStatement('p-1');
    delete s['decision_visibility'];
    expect(ok(s)['decision_visibility']).toEqual(['The decision visibility field is required when none of decision monetary / decision provision / decision account are present.']);
    expect(ok({ ...s, decision_account: 'DECISION_ACCOUNT_SUSPENDED' })).toEqual({});
    const tc = { ...tdbStatement('p-2'), decision_ground: 'DECISION_GROUND_INCOMPATIBLE_CONTENT' };
    expect(Object.keys(ok(tc)).sort()).toEqual(['incompatible_content_explanation', 'incompatible_content_ground']);
    // The illegal-content fields of a terms-and-conditions statement are dropped, not refused.
    expect(validateTdbStatement({ ...tc, incompatible_content_ground: 'ToS 4.2', incompatible_content_explanation: 'Spam.' }).kept).not.toHaveProperty('illegal_content_legal_ground');
  });

  it('requires the *_other text when OTHER is chosen', () => {
    expect(ok({ ...tdbStatement('p-1'), content_type: ['CONTENT_TYPE_OTHER'] })['content_type_other']).toEqual(['The content type other field is required when content is other.']);
  });
});

describe('the stand-in server', () => {
  const post = (url: string, path: string, token: string | undefined, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  it('answers as the database does: 401 without the token, the bulk size rule, duplicates within a call, and the single call', async () => {
    const tdb = await startTdbStandIn();
    try {
      expect((await post(tdb.url, '/api/v1/statements', undefined, { statements: [tdbStatement('s-1')] })).status).toBe(401);
      expect(await post(tdb.url, '/api/v1/statements', tdb.token, { statements: [] })).toEqual({ status: 422, body: { message: 'The statements field must have between 1 and 100 items.', errors: { statements: ['The statements field must have between 1 and 100 items.'] } } });
      const twice = await post(tdb.url, '/api/v1/statements', tdb.token, { statements: [tdbStatement('s-1'), tdbStatement('s-1')] });
      expect(twice).toMatchObject({ status: 422, body: { errors: { existing_puids: ['s-1'] } } });
      expect(tdb.stored.size).toBe(0);
      const single = await post(tdb.url, '/api/v1/statement', tdb.token, tdbStatement('s-2'));
      expect(single).toMatchObject({ status: 201, body: { puid: 's-2', uuid: expect.any(String) } });
      expect(await post(tdb.url, '/api/v1/statement', tdb.token, tdbStatement('s-2'))).toMatchObject({ status: 422, body: { errors: { puid: ['The identifier given is not unique within this platform.'] }, existing: { puid: 's-2' } } });
      const bad = await post(tdb.url, '/api/v1/statement', tdb.token, { ...tdbStatement('s-3'), content_language: 'UN', automated_detection: undefined });
      expect(bad).toEqual({
        status: 422,
        body: { message: 'The selected content language is invalid. (and 1 more error)', errors: { content_language: ['The selected content language is invalid.'], automated_detection: ['The automated detection field is required.'] } },
      });
    } finally {
      await tdb.close();
    }
  });
});
