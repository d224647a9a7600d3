import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { AuditEvent } from '@takedown/shared';
import { createApp } from '@takedown/moderation-api';
import { eventually } from '../support/test-context';
import { reportBody, startPipeline, type Pipeline } from '../support/pipeline';

// Issue 15: the job board's cookie stands for a server-side session, never the admin token.
let p: Pipeline;

beforeAll(async () => {
  p = await startPipeline('admin-session');
});
afterAll(async () => {
  await p.stop();
});

const COOKIE = 'takedown_admin';
const LIST = '/admin/queues/api/queues?activeQueue=reports&status=latest&page=1&jobsPerPage=100';

/** POST /v1/session/admin-cookie with this token: the raw Set-Cookie and the cookie's value. */
async function openSession(token: string): Promise<{ setCookie: string; value: string }> {
  const res = await fetch(`${p.url}/v1/session/admin-cookie`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(204);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const m = new RegExp(`^${COOKIE}=([^;]*)`).exec(setCookie);
  expect(m).not.toBeNull();
  return { setCookie, value: decodeURIComponent(m![1]!) };
}

/** A board request carrying only the cookie, as a browser tab does. */
async function board(value: string, pathname = LIST): Promise<{ status: number; text: string }> {
  const res = await fetch(`${p.url}${pathname}`, { headers: { cookie: `${COOKIE}=${encodeURIComponent(value)}` } });
  return { status: res.status, text: await res.text() };
}

/** An admin of their own (person and token), so revoking or disabling them touches no other test. */
async function newAdmin(name: string, csam = false): Promise<{ token: string; tokenId: string; actorId: string }> {
  const { token, record, person } = await p.deps.tokens.create({ role: 'admin', name, createdBy: 'test', ...(csam ? { grants: { csam: true } } : {}) });
  return { token, tokenId: record.id, actorId: person.id };
}

describe('job board session cookie', () => {
  it('holds a random session id, never the token, with HttpOnly, SameSite=Strict and Path=/admin; no answer repeats it', async () => {
    const { setCookie, value } = await openSession(p.tokens.admin);
    expect(value).not.toBe(p.tokens.admin);
    expect(value).not.toContain(p.tokens.admin);
    // 32 random bytes, base64url.
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*SameSite=Strict/i);
    expect(setCookie).toMatch(/;\s*Path=\/admin(;|$)/i);
    // Plain HTTP, and 'trust proxy' is off: not Secure.
    expect(setCookie).not.toMatch(/;\s*Secure/i);
    // Two sign-ins, two sessions.
    expect((await openSession(p.tokens.admin)).value).not.toBe(value);

    const page = await board(value, '/admin/queues/');
    const list = await board(value);
    expect([page.status, list.status]).toEqual([200, 200]);
    for (const text of [page.text, list.text]) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(p.tokens.admin);
    }
    // Redis holds the session under the id's hash only.
    const keys = await p.ctx.redis.keys(`${p.deps.cases.keys.base}:admin-session*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      expect(k).not.toContain(value);
      const stored = k.includes(':admin-sessions:') ? JSON.stringify(await p.ctx.redis.smembers(k)) : await p.ctx.redis.get(k);
      expect(stored).not.toContain(value);
    }
    const ttl = await p.ctx.redis.pttl(keys.find((k) => k.includes(':admin-session:'))!);
    expect(ttl).toBeGreaterThan(7 * 3600 * 1000);
    expect(ttl).toBeLessThanOrEqual(8 * 3600 * 1000);
  });

  it('an unknown cookie or none gets 401; a bearer header still opens the board; a non-admin token gets 403', async () => {
    expect((await board('x'.repeat(43))).status).toBe(401);
    // Malformed percent-encoding is an unknown session too, not a 500.
    expect((await fetch(`${p.url}${LIST}`, { headers: { cookie: `${COOKIE}=%E0%A4%A` } })).status).toBe(401);
    expect((await fetch(`${p.url}${LIST}`)).status).toBe(401);
    expect((await fetch(`${p.url}${LIST}`, { headers: { authorization: `Bearer ${p.tokens.admin}` } })).status).toBe(200);
    expect((await fetch(`${p.url}/v1/session/admin-cookie`, { method: 'POST', headers: { authorization: `Bearer ${p.tokens.lead}` } })).status).toBe(403);
    // The admin token itself presented as the cookie (what the cookie used to hold) opens nothing.
    expect((await board(p.tokens.admin)).status).toBe(401);
  });

  it('signing out (DELETE) ends the session server-side: the old cookie gets 401; both are audited without the session id', async () => {
    const a = await newAdmin('board-signout');
    const { value } = await openSession(a.token);
    expect((await board(value)).status).toBe(200);
    const out = await fetch(`${p.url}/v1/session/admin-cookie`, { method: 'DELETE', headers: { authorization: `Bearer ${a.token}` } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^${COOKIE}=;.*Path=/admin`, 'i'));
    expect((await board(value)).status).toBe(401);
    // The token itself stays valid: signing out of the board is not revoking it.
    expect((await p.call('GET', '/v1/me', a.token)).status).toBe(200);

    const events = await eventually(async () => {
      // data is not indexed: the events are picked by type, then by the token they name.
      const res = await p.ctx.es.search<AuditEvent>({ index: p.deps.indices.audit, query: { terms: { type: ['admin-session.opened', 'admin-session.closed'] } }, size: 100 });
      const found = res.hits.hits.map((h) => h._source as AuditEvent).filter((e) => e.data?.['tokenId'] === a.tokenId);
      return found.length === 2 ? found : undefined;
    }, 15_000);
    expect(events.map((e) => [e.type, e.actor]).sort()).toEqual([['admin-session.closed', a.actorId], ['admin-session.opened', a.actorId]]);
    expect(JSON.stringify(events)).not.toContain(value);
    expect(JSON.stringify(events)).not.toContain(a.token);
  });

  it('revoking the token the session was opened with ends the session', async () => {
    const a = await newAdmin('board-revoked');
    const { value } = await openSession(a.token);
    expect((await board(value)).status).toBe(200);
    await p.deps.tokens.revoke(a.tokenId, 'test');
    expect((await board(value)).status).toBe(401);
  });

  it('disabling the person ends the session', async () => {
    const a = await newAdmin('board-disabled');
    const { value } = await openSession(a.token);
    expect((await board(value)).status).toBe(200);
    await p.deps.tokens.people.disable(a.actorId, 'test');
    expect((await board(value)).status).toBe(401);
  });

  it('reads the csam grant fresh on every board request', async () => {
    const a = await newAdmin('board-grant', true);
    const { value } = await openSession(a.token);
    const r = await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('session-csam', { reason: 'csam', content: { id: 'session-csam', type: 'post', text: 'sessionsecret words', authorId: 'board' } }));
    expect(r.status).toBe(202);
    await eventually(async () => (await board(value)).text.includes('sessionsecret'), 15_000);
    await p.deps.tokens.people.update(a.actorId, { csam: false }, 'test');
    const after = await board(value);
    expect(after.status).toBe(200);
    expect(after.text).not.toContain('sessionsecret');
    expect(after.text).toContain('csam_grant_required');
  });
});

describe('job board session cookie over TLS', () => {
  it('is Secure when the request came over TLS', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'takedown-tls-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, createApp(p.deps));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as AddressInfo).port;
      const setCookie = await new Promise<string>((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', port, path: '/v1/session/admin-cookie', method: 'POST', ca: fs.readFileSync(cert), headers: { authorization: `Bearer ${p.tokens.admin}` } }, (res) => {
          res.resume();
          expect(res.statusCode).toBe(204);
          resolve(String(res.headers['set-cookie'] ?? ''));
        });
        req.on('error', reject);
        req.end();
      });
      expect(setCookie).toMatch(new RegExp(`^${COOKIE}=`));
      expect(setCookie).toMatch(/;\s*Secure/i);
      expect(setCookie).toMatch(/;\s*HttpOnly/i);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is not Secure on plain HTTP even with X-Forwarded-Proto: https (the app does not trust proxies)', async () => {
    const res = await fetch(`${p.url}/v1/session/admin-cookie`, { method: 'POST', headers: { authorization: `Bearer ${p.tokens.admin}`, 'x-forwarded-proto': 'https' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).not.toMatch(/;\s*Secure/i);
  });
});
