import { errors as esErrors } from '@elastic/elasticsearch';
import { CommanderError } from 'commander';
import { ConfigError, ConflictError, NotFoundError, UnavailableError } from '@takedown/shared';
import { ApiRefusal, unreachable } from './api-client';
import { CommandFailed, EXIT, UsageError, failureOf } from './exit-codes';

describe('failureOf: what each failure exits with', () => {
  it('usage errors exit 2: the parser’s, the commands’ own, and a bad setting', () => {
    expect(failureOf(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"))).toEqual({ exitCode: 2, code: 'unknown_option', message: "unknown option '--x'" });
    expect(failureOf(new UsageError('--standing is for reporter tokens only', 'standing'))).toMatchObject({ exitCode: 2, code: 'usage', field: 'standing' });
    expect(failureOf(new ConfigError('REDIS_URL is not a URL', 'REDIS_URL')).exitCode).toBe(EXIT.usage);
    // Help asked for is a success.
    expect(failureOf(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)')).exitCode).toBe(EXIT.ok);
  });

  it('a refusal at runtime exits 1 with its code', () => {
    expect(failureOf(new NotFoundError('no person with id x', 'not_found', 'actorId'))).toEqual({ exitCode: 1, code: 'not_found', field: 'actorId', message: 'no person with id x' });
    expect(failureOf(new ConflictError('taken', 'token_name_taken')).exitCode).toBe(EXIT.failed);
    expect(failureOf(new ApiRefusal(403, 'forbidden', 'this role may not do that'))).toEqual({ exitCode: 1, code: 'forbidden', status: 403, message: 'this role may not do that' });
    expect(failureOf(new CommandFailed('leaked', '1 post leaked')).exitCode).toBe(EXIT.failed);
    expect(failureOf(new Error('no ruleset is published'))).toEqual({ exitCode: 1, code: 'failed', message: 'no ruleset is published' });
  });

  it('a dependency that does not answer exits 3: Redis, Elasticsearch, a server behind a gateway, a fetch that got nothing', () => {
    const redis = Object.assign(new Error('Reached the max retries per request limit (which is 2).'), { name: 'MaxRetriesPerRequestError' });
    expect(failureOf(redis)).toMatchObject({ exitCode: 3, code: 'redis_unavailable' });
    expect(failureOf(new Error('Command timed out'))).toMatchObject({ exitCode: 3, code: 'redis_unavailable' });
    expect(failureOf(new esErrors.ConnectionError('connect ECONNREFUSED', { body: undefined, statusCode: 0, headers: {}, warnings: null, meta: {} as never }))).toMatchObject({ exitCode: 3, code: 'elasticsearch_unavailable' });
    expect(failureOf(new UnavailableError('Redis did not answer (ECONNREFUSED)', 'redis_unavailable')).exitCode).toBe(EXIT.unavailable);
    for (const status of [502, 503, 504]) expect(failureOf(new ApiRefusal(status, 'x', 'y')).exitCode).toBe(EXIT.unavailable);
    const refused = unreachable('the moderation API', 'http://user:secret@127.0.0.1:8080/base', Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }));
    expect(failureOf(refused)).toEqual({ exitCode: 3, code: 'unreachable', message: 'the moderation API at http://127.0.0.1:8080 did not answer (ECONNREFUSED)' });
    const timedOut = unreachable('the search service', 'http://127.0.0.1:8090', new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    expect(timedOut.message).toBe('the search service at http://127.0.0.1:8090 did not answer (timed out)');
  });
});
