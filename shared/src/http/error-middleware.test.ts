import { ConflictError, NotFoundError, TakedownError, UnavailableError, ValidationError } from '../errors/takedown-error';
import { mapError } from './error-middleware';

describe('mapError', () => {
  it('maps a validation error to 400 with the field', () => {
    expect(mapError(new ValidationError('report: /reason is required', '/reason'))).toEqual({
      status: 400,
      body: { error: { code: 'invalid_request', message: 'report: /reason is required', field: '/reason' } },
    });
  });

  it.each([
    [new NotFoundError(), 404, 'not_found'],
    [new ConflictError('lease lost', 'lease_conflict'), 409, 'lease_conflict'],
    [new UnavailableError('no ruleset loaded', 'no_ruleset'), 503, 'no_ruleset'],
  ])('keeps the status and code of %p', (err, status, code) => {
    const m = mapError(err);
    expect(m.status).toBe(status);
    expect(m.body.error.code).toBe(code);
  });

  it('reveals nothing for unknown errors', () => {
    const m = mapError(new Error('ECONNREFUSED 10.0.0.5:9200 password=hunter2'));
    expect(m).toEqual({ status: 500, body: { error: { code: 'internal', message: 'internal error' } } });
  });

  it('reveals nothing for internal TakedownErrors either', () => {
    const m = mapError(new TakedownError('db_corrupt', 'index takedown-audit has a bad mapping', 500));
    expect(JSON.stringify(m)).not.toContain('takedown-audit');
  });

  it('maps body-parser failures to clear 4xx', () => {
    expect(mapError({ type: 'entity.parse.failed' }).status).toBe(400);
    expect(mapError({ type: 'entity.parse.failed' }).body.error.code).toBe('invalid_json');
    expect(mapError({ type: 'entity.too.large' }).status).toBe(413);
    // zlib's error for a body that is not what its Content-Encoding says: a 400 with no type.
    expect(mapError(Object.assign(new Error('incorrect header check'), { status: 400 }))).toEqual({ status: 400, body: { error: { code: 'unreadable_body', message: 'request body could not be read (bad encoding)' } } });
  });
});
