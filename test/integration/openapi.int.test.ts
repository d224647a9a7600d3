import { ACCESS, type Endpoint } from '@takedown/moderation-api';
import { startPipeline, type Pipeline } from '../support/pipeline';

let p: Pipeline;

beforeAll(async () => {
  p = await startPipeline('openapi');
});
afterAll(async () => {
  await p.stop();
});

describe('the API contract, served', () => {
  it('serves /openapi.json without a token, covering ACCESS exactly', async () => {
    const res = await p.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.openapi).toBe('3.1.0');
    const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`),
    );
    expect(documented.sort()).toEqual(Object.keys(ACCESS).sort());
  });

  it('every documented operation is routed on the running API: guarded ones refuse a missing token, public ones answer', async () => {
    const doc = (await p.call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { security: unknown[] }>> };
    const unrouted: string[] = [];
    for (const [template, item] of Object.entries(doc.paths)) {
      // Any value fills a parameter: without a token the guard answers before the handler looks at it.
      const path = template.replace(/\{[A-Za-z]+\}/g, 'x');
      for (const [method, op] of Object.entries(item)) {
        if (op.security.length === 0) {
          // Public: no token needed; readiness may be 503 on a busy box, never 404 or 401.
          const res = await p.call(method.toUpperCase(), path + (template.startsWith('/v1/transparency') ? '?period=2026-Q3' : ''));
          if (![200, 503].includes(res.status)) unrouted.push(`${method} ${template}: ${res.status}`);
        } else {
          const res = await p.call(method.toUpperCase(), path);
          // An unrouted path falls through to the console's static files and the 404 handler.
          if (res.status !== 401) unrouted.push(`${method} ${template}: ${res.status}`);
        }
      }
    }
    expect(unrouted).toEqual([]);
  });

  it('serves the docs page and its assets from this origin, under a CSP that forbids other origins', async () => {
    const page = await fetch(`${p.url}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:|\*/);
    // Every script and stylesheet the page loads is ours, and answers.
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset.startsWith('/docs/assets/')).toBe(true);
      const res = await fetch(`${p.url}${asset}`);
      expect([asset, res.status]).toEqual([asset, 200]);
    }
    // Only the listed assets: not Swagger UI's demo page (which points at a remote petstore).
    expect((await fetch(`${p.url}/docs/assets/index.html`)).status).toBe(404);
    expect((await fetch(`${p.url}/docs/assets/..%2Fpackage.json`)).status).toBe(404);
  });

  it('keeps the token check on a documented endpoint (the document opens nothing)', async () => {
    const endpoint: Endpoint = 'GET /v1/people';
    expect(ACCESS[endpoint]).not.toBe('public');
    expect((await p.call('GET', '/v1/people')).status).toBe(401);
  });
});
