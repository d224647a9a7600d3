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

  it('maps the Elasticsearch client timing out or finding no node to 503, revealing nothing of the request', () => {
    const timeout = Object.assign(new Error('Request timed out'), { name: 'TimeoutError', meta: { meta: { request: { params: { body: 'secret query' } } } } });
    const conn = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:9200'), { name: 'ConnectionError', meta: { body: null } });
    const none = Object.assign(new Error('There are no living connections'), { name: 'NoLivingConnectionsError', meta: {} });
    const gateway = Object.assign(new Error('bad gateway'), { name: 'ResponseError', meta: { statusCode: 504, body: {} } });
    for (const err of [timeout, conn, none, gateway]) {
      expect(mapError(err)).toEqual({ status: 503, body: { error: { code: 'elasticsearch_unavailable', message: 'Elasticsearch is unavailable; retry later' } } });
    }
    // Not the client's: an AbortSignal's TimeoutError stays an internal error.
    expect(mapError(Object.assign(new Error('aborted'), { name: 'TimeoutError' })).status).toBe(500);
  });

  it('reveals nothing for unknown errors', () => {
    const m = mapError(new Error('ECONNREFUSED 10.0.0.5:9200 password=hunter2'));
    expect(m).toEqual({ status: 500, body: { error: { code: 'internal', message: 'internal error' } } });
  });

  it('answers 503 redis_unavailable when a request-path Redis command timed out or Redis is gone, never 500', () => {
    const retries = Object.assign(new Error('Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.'), { name: 'MaxRetriesPerRequestError' });
    for (const err of [new Error('Command timed out'), retries, new Error('Connection is closed.')]) {
      expect(mapError(err)).toEqual({ status: 503, body: { error: { code: 'redis_unavailable', message: 'Redis is unavailable; retry later' } } });
    }
  });

  it('reveals nothing for internal TakedownErrors either', () => {
    const m = mapError(new TakedownError('db_corrupt', 'index takedown-audit has a bad mapping', 500));
    expect(JSON.stringify(m)).not.toContain('takedown-audit');
  });

  it('maps body-parser failures to clear 4xx', () => {
    expect(mapError({ type: 'entity.parse.failed' }).status).toBe(400);
    expect(mapError({ type: 'entity.parse.failed' }).body.error).toEqual({ code: 'invalid_json', message: 'request body is not valid JSON', field: '' });
    expect(mapError({ type: 'entity.too.large' }).status).toBe(413);
    expect(mapError({ status: 415, type: 'charset.unsupported' }).body.error).toMatchObject({ code: 'unsupported_charset', field: 'content-type' });
    expect(mapError({ status: 415, type: 'encoding.unsupported' }).body.error).toMatchObject({ code: 'unsupported_content_encoding', field: 'content-encoding' });
    // zlib's error for a body that is not what its Content-Encoding says: a 400 with no type, zlib's code.
    expect(mapError(Object.assign(new Error('incorrect header check'), { status: 400, code: 'Z_DATA_ERROR' }))).toEqual({
      status: 400,
      body: { error: { code: 'bad_content_encoding', message: 'the body is not encoded as its Content-Encoding says', field: 'content-encoding' } },
    });
  });

  it('answers other client errors of the HTTP stack with a bare 400, and a 500 for anything without expose', () => {
    expect(mapError(Object.assign(new URIError('Failed to decode param'), { status: 400, expose: true })).body.error.code).toBe('bad_request');
    expect(mapError(Object.assign(new Error('x'), { status: 400 })).status).toBe(500);
  });

  it("retells Elasticsearch's 400s in its own words, never its text", () => {
    const err = Object.assign(new Error('ResponseError'), {
      name: 'ResponseError',
      meta: { statusCode: 400, body: { error: { type: 'search_phase_execution_exception', reason: 'all shards failed', root_cause: [{ type: 'illegal_argument_exception', reason: 'Result window is too large, from + size must be less than or equal to: [10000] but was [10099]. secret-index' }] } } },
    });
    const m = mapError(err);
    expect(m.status).toBe(400);
    expect(m.body.error).toMatchObject({ code: 'result_window_too_large', field: '/from' });
    expect(JSON.stringify(m)).not.toContain('secret-index');
  });
});
