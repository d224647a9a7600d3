import { classifyAnswer, duplicatePuids, itemProblems } from './tdb-response';

describe('the Transparency Database answers', () => {
  const puids = ['a', 'b', 'c'];

  it('201 is stored, with the uuids it returned', () => {
    const o = classifyAnswer(201, { statements: [{ puid: 'a', uuid: 'u-a' }, { puid: 'b' }] }, puids);
    expect(o).toEqual({ kind: 'created', uuids: new Map([['a', 'u-a']]) });
    // A 201 whose body could not be read still means stored.
    expect(classifyAnswer(201, undefined, puids)).toEqual({ kind: 'created', uuids: new Map() });
  });

  it('bulk item errors (statement_<index>) become problems of those statements by field', () => {
    const body = {
      errors: {
        statement_1: { decision_monetary: ['The selected decision monetary is invalid.'], automated_detection: ['The automated detection field is required.'] },
        statement_2: { content_language: ['The selected content language is invalid.'] },
      },
    };
    expect(classifyAnswer(422, body, puids)).toEqual({
      kind: 'invalid',
      problems: new Map([
        [
          'b',
          [
            { field: 'decision_monetary', code: 'tdb_rejected', message: 'The selected decision monetary is invalid.' },
            { field: 'automated_detection', code: 'tdb_rejected', message: 'The automated detection field is required.' },
          ],
        ],
        ['c', [{ field: 'content_language', code: 'tdb_rejected', message: 'The selected content language is invalid.' }]],
      ]),
    });
  });

  it("Laravel's flat keys (statements.<index>.<field>, array elements folded) are read too; indexes outside the batch are ignored", () => {
    const body = { message: 'x', errors: { 'statements.0.category': ['The selected category is invalid.'], 'statements.2.content_type.1': ['The selected content type is invalid.'], 'statements.9.puid': ['x'] } };
    expect(itemProblems(body, puids)).toEqual(
      new Map([
        ['a', [{ field: 'category', code: 'tdb_rejected', message: 'The selected category is invalid.' }]],
        ['c', [{ field: 'content_type', code: 'tdb_rejected', message: 'The selected content type is invalid.' }]],
      ]),
    );
  });

  it('duplicate puids (existing_puids) are the ones sent; others the database names are ignored', () => {
    const body = { message: 'The platform identifier(s) are not all unique within this call.', errors: { puid: ['…'], existing_puids: ['b', 'zz'] } };
    expect(classifyAnswer(422, body, puids)).toEqual({ kind: 'duplicates', puids: new Set(['b']) });
    expect(duplicatePuids({ errors: { puid: ['x'] }, existing: { puid: 'c' } }, puids)).toEqual(new Set(['c']));
  });

  it('a 422 that names no statement of the batch, and a 413, are unattributed (the submitter splits the batch to find the one at fault)', () => {
    const o = classifyAnswer(422, { message: 'The statements field must have between 1 and 100 items.', errors: { statements: ['…'] } }, puids);
    expect(o).toEqual({ kind: 'unattributed', error: 'HTTP 422 naming no statement of the batch: The statements field must have between 1 and 100 items.' });
    expect(classifyAnswer(422, 'not json', puids).kind).toBe('unattributed');
    expect(classifyAnswer(413, undefined, puids).kind).toBe('unattributed');
  });

  it('401 and 403 are a refused token; 429 and 5xx are transient, with Retry-After', () => {
    expect(classifyAnswer(401, { message: 'Unauthenticated.' }, puids)).toEqual({ kind: 'auth', status: 401 });
    expect(classifyAnswer(403, undefined, puids)).toEqual({ kind: 'auth', status: 403 });
    expect(classifyAnswer(429, undefined, puids, 30_000)).toEqual({ kind: 'transient', error: 'HTTP 429', retryAfterMs: 30_000 });
    expect(classifyAnswer(503, { message: 'Down for maintenance' }, puids)).toEqual({ kind: 'transient', error: 'HTTP 503: Down for maintenance' });
  });
});
