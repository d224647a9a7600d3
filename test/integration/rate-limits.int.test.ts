import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '@takedown/moderation-api';
import { FailedAuthLimiter, RateLimitedError, createRedis, perTokenLimit, sharedAuthFailures } from '@takedown/shared';
import { reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { eventually } from '../support/test-context';

// Per-token limits on intake and claims, and failed authentication per
// client address shared over API processes through Redis: 429 with
// Retry-After, then recovery once the window ends. Short windows (2 s) so
// recovery is awaited, never timed.
const CONSOLE_CSP = "default-src 'self'; img-src 'self' blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'";
let p: Pipeline;
let n = 0;

beforeAll(async () => {
  p = await startPipeline('rate-limits', {
    authFailuresPerMinute: 4,
    rateLimits: { intake: { points: 3, durationSeconds: 2 }, claims: { points: 2, durationSeconds: 2 } },
  });
});
afterAll(async () => {
  await p.stop();
});

const report = (token: string) => p.call('POST', '/v1/reports', token, reportBody(`rl-${n++}`));
const claim = (token: string) => p.call('POST', '/v1/review/claim', token, { queue: 'default' });

function expectLimited(r: { status: number; body: any; headers: Headers }, seconds: number): void {
  expect([r.status, r.body.error.code]).toEqual([429, 'rate_limited']);
  const retryAfter = Number(r.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(seconds);
}

describe('per-token rate limits', () => {
  it('intake: the limit passes, the next report gets 429 with Retry-After, another token is not limited, and the token recovers', async () => {
    // A fresh token's first reports are within its limit, whenever its window ends.
    for (let i = 0; i < 3; i++) expect((await report(p.tokens.flagger)).status).toBe(202);
    // The next is refused (on a slow box the window may have ended first: then a later one is).
    const refused = await eventually(async () => {
      const r = await report(p.tokens.flagger);
      expect([202, 429]).toContain(r.status);
      return r.status === 429 ? r : undefined;
    });
    expectLimited(refused, 2);
    expect((await report(p.tokens.reporter)).status).toBe(202);
    await eventually(async () => (await report(p.tokens.flagger)).status === 202 || undefined);
  });

  it('claims: past the limit 429, another moderator still claims, and the token recovers', async () => {
    const refused = await eventually(async () => {
      const r = await claim(p.tokens.moderator);
      expect([200, 204, 429]).toContain(r.status);
      return r.status === 429 ? r : undefined;
    });
    expectLimited(refused, 2);
    expect([200, 204]).toContain((await claim(p.tokens.moderator2)).status);
    await eventually(async () => (await claim(p.tokens.moderator)).status !== 429 || undefined);
  });
});

describe('failed authentication per client address across API processes', () => {
  let second: Server;
  let secondUrl: string;
  beforeAll(async () => {
    // A second API process: its own in-memory count, the same Redis.
    const authLimiter = new FailedAuthLimiter(4, undefined, undefined, sharedAuthFailures(p.deps.redis, p.deps.cases.keys.base, 'moderation-api', 4));
    second = await new Promise((resolve) => {
      const s = createApp({ ...p.deps, authLimiter }).listen(0, '127.0.0.1', () => resolve(s));
    });
    secondUrl = `http://127.0.0.1:${(second.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => second.close(r));
  });
  const meOnSecond = (token: string) => fetch(`${secondUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } });

  it('failures on two processes add up: both refuse the address, a known-good token still works', async () => {
    expect((await p.call('GET', '/v1/me', p.tokens.admin)).status).toBe(200);
    expect((await meOnSecond(p.tokens.admin)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await p.call('GET', '/v1/me', `tdk_moderator_guess-a${i}`)).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await meOnSecond(`tdk_moderator_guess-b${i}`)).status).toBe(401);
    // Neither process saw more than 2 failures itself: only the shared count refuses.
    const first = await p.call('GET', '/v1/me', 'tdk_moderator_guess-a2');
    expect([first.status, first.body.error.code]).toEqual([429, 'auth_rate_limited']);
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
    const other = await meOnSecond('tdk_moderator_guess-b2');
    expect(other.status).toBe(429);
    expect(Number(other.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await p.call('GET', '/v1/me', p.tokens.admin)).status).toBe(200);
    expect((await meOnSecond(p.tokens.admin)).status).toBe(200);
  });
});

describe('when the counter\'s Redis is away', () => {
  it('limits still hold per process (the in-memory insurance count), and nothing waits on Redis', async () => {
    // A real client to a port nothing listens on: never ready.
    const away = createRedis('redis://127.0.0.1:1', { connectionName: 'rate-limits-away', maxRetriesPerRequest: 0, commandTimeoutMs: 500, lazyConnect: true });
    try {
      const limit = perTokenLimit(away, '{rl-away}:mod', 'intake', { points: 2, durationSeconds: 60 });
      const run = (tokenId: string) =>
        new Promise<unknown>((resolve) => {
          limit({ principal: { tokenId } } as never, {} as never, resolve);
        });
      expect(await run('t1')).toBeUndefined();
      expect(await run('t1')).toBeUndefined();
      const refused = await run('t1');
      expect(refused).toBeInstanceOf(RateLimitedError);
      expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
      expect(await run('t2')).toBeUndefined();
      // Failed authentications: the shared count falls back to this process's memory too.
      const shared = sharedAuthFailures(away, '{rl-away}:mod', 'moderation-api', 1);
      await shared.recordFailure('10.0.0.9');
      await shared.recordFailure('10.0.0.9');
      expect(await shared.retryAfterMs('10.0.0.9')).toBeGreaterThan(0);
    } finally {
      away.disconnect();
    }
  });
});

describe('security headers', () => {
  it('helmet headers on API answers and on the console, whose CSP is unchanged', async () => {
    const page = await fetch(`${p.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(page.headers.get('x-powered-by')).toBeNull();
    const api = await p.call('GET', '/v1/me', p.tokens.admin);
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    // The JSON API and bull-board get no page policy of helmet's.
    expect(api.headers.get('content-security-policy')).toBeNull();
  });
});
