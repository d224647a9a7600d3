import { UpstreamClient, UpstreamTimeoutError } from '@takedown/search-service';
import { startBlackHole, type BlackHole } from '../support/black-hole';
import { createTestContext, type TestContext } from '../support/test-context';

/**
 * The search service's lean upstream client against the real Elasticsearch,
 * each "node" a black hole in front of it that can stop answering (hang) or
 * stop accepting connections (closed): a node down → the next one; a hung
 * node → a timeout within the deadline, never a resend.
 */

let ctx: TestContext;
let index: string;
const holes: BlackHole[] = [];

beforeAll(async () => {
  ctx = await createTestContext('search-upstream');
  index = `${ctx.prefix}-up`;
  await ctx.es.index({ index, id: 'u1', document: { text: 'upstream' }, refresh: true });
});
afterAll(async () => {
  for (const h of holes) await h.close().catch(() => undefined);
  await ctx.cleanup();
});

async function hole(): Promise<BlackHole> {
  const h = await startBlackHole(ctx.config.elasticsearch.url);
  holes.push(h);
  return h;
}

/** One count through the client: its status, or the error's class name. */
async function count(client: UpstreamClient): Promise<number | string> {
  try {
    const res = await client.request('POST', `/${index}/_count`, '', '{"query":{"match_all":{}}}');
    const text = Buffer.concat(await res.body.toArray()).toString('utf8');
    expect(res.status === 200 ? (JSON.parse(text) as { count: number }).count : res.status).toBe(1);
    return res.status;
  } catch (err) {
    return (err as Error).constructor.name;
  }
}

test('round robin over the nodes; a node that stops accepting connections is skipped and the read goes to the next', async () => {
  const a = await hole();
  const b = await hole();
  const client = new UpstreamClient({ nodes: [a.url, b.url], timeoutMs: 5000 });
  try {
    for (let i = 0; i < 4; i++) expect(await count(client)).toBe(200);
    // Both nodes served (a connection or more each: undici may open another while one is being released).
    expect([a.accepted > 0, b.accepted > 0]).toEqual([true, true]);
    await a.close();
    // Connection refused (or the kept-alive socket closed): each read still answers, from b.
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push(await count(client));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(client.deadNodes()).toEqual([new URL(a.url).origin]);
  } finally {
    await client.close();
  }
});

test('a hung node: the call fails with a timeout within the deadline', async () => {
  const h = await hole();
  const client = new UpstreamClient({ nodes: [h.url], timeoutMs: 300 });
  try {
    expect(await count(client)).toBe(200);
    h.mode = 'hang';
    const t0 = performance.now();
    expect(await count(client)).toBe(UpstreamTimeoutError.name);
    // A bound on hanging only (the deadline is 300 ms; undici's own timeouts are the same 300 ms).
    expect(performance.now() - t0).toBeLessThan(5000);
  } finally {
    h.mode = 'pass';
    await client.close();
  }
});

test('a hung node among two: the call that met it fails, the next ones go to the live node', async () => {
  const hung = await hole();
  const live = await hole();
  const client = new UpstreamClient({ nodes: [hung.url, live.url], timeoutMs: 300 });
  try {
    hung.mode = 'hang';
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push(await count(client));
    expect(statuses).toEqual([UpstreamTimeoutError.name, 200, 200, 200, 200]);
    expect(client.deadNodes()).toEqual([new URL(hung.url).origin]);
  } finally {
    hung.mode = 'pass';
    await client.close();
  }
});
