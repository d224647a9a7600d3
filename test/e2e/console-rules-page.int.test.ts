/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { Rule } from '@takedown/search-rules';
import { eventually } from '../support/test-context';
import { signInConsole } from '../support/console-page';
import { startPipeline, type Pipeline } from '../support/pipeline';

// The rules page with a 50,000-rule draft, in Debian's Chromium against the real API and Redis.
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');
const RULES = 50_000;

const CATS = ['drugs', 'weapons', 'fraud', 'other'] as const;
const ACTS = ['block_query', 'exclude', 'demote', 'flag_for_review', 'auto_remove'] as const;
const seeded: Rule[] = Array.from({ length: RULES }, (_, i) => {
  const action = ACTS[i % 5] as Rule['action'];
  return {
    id: `r-${String(i).padStart(5, '0')}`,
    kind: 'term',
    pattern: `word${i}`,
    category: CATS[i % 4] as Rule['category'],
    scope: action === 'block_query' ? ['query'] : ['content'],
    action,
    ...(i % 7 === 0 ? { shadow: true } : {}),
    ...(i % 11 === 0 ? { enabled: false } : {}),
    note: `seeded ${i}`,
    createdBy: 'lead:seed',
    createdAt: '2026-11-01T00:00:00.000Z',
  };
});
const stateOf = (r: Rule) => (r.enabled === false ? 'disabled' : r.shadow ? 'shadow' : 'live');

let p: Pipeline;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  p = await startPipeline('rulespage');
  // Straight into the store: the API's import would spend its time validating, which is not under test here.
  await p.deps.drafts.importRules(seeded, 'replace', 'lead:seed');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await p.stop();
});

interface PageBody {
  rules: Rule[];
  total: number;
  from: number;
  next: string | null;
  count: number;
  facets: Record<string, Record<string, number>>;
}
const get = async (qs: string) => p.call('GET', `/v1/rules/draft-page?${qs}`, p.tokens.lead) as Promise<{ status: number; body: PageBody & { error?: { field?: string } } }>;

describe('rules page API with a 50,000-rule draft', () => {
  it('answers a searched, filtered page with its total and per-filter counts', async () => {
    const r = await get('q=WORD12&category=weapons&state=live&size=20');
    expect(r.status).toBe(200);
    const expected = seeded.filter((x) => x.pattern.includes('word12') && x.category === 'weapons' && stateOf(x) === 'live').map((x) => x.id);
    expect(expected.length).toBeGreaterThan(20);
    expect(r.body.count).toBe(RULES);
    expect(r.body.total).toBe(expected.length);
    expect(r.body.rules.map((x) => x.id)).toEqual(expected.slice(0, 20));
    expect(r.body.next).toBe(expected[19]);
    // Choosing "shadow" instead would show exactly this many.
    expect(r.body.facets['state']?.['shadow']).toBe(seeded.filter((x) => x.pattern.includes('word12') && x.category === 'weapons' && stateOf(x) === 'shadow').length);
  });

  it('walking every page of a filter yields each matching rule once, in order', async () => {
    const expected = seeded.filter((x) => x.category === 'fraud' && x.action === 'demote').map((x) => x.id);
    const seen: string[] = [];
    let after = '';
    for (let pages = 0; pages < 100; pages++) {
      const r = await get(`category=fraud&action=demote&size=200${after ? `&after=${after}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.body.rules.length).toBeLessThanOrEqual(200);
      seen.push(...r.body.rules.map((x) => x.id));
      if (r.body.next === null) break;
      after = r.body.next;
    }
    expect(seen).toEqual(expected);
  });

  it('refuses an unbounded or malformed query, naming the field; other roles are refused', async () => {
    for (const [qs, field] of [['size=500', '/size'], ['size=0', '/size'], ['state=on', '/state'], ['after=a%20b', '/after'], ['q=a&q=b', '/q'], ['page=2', '/page']] as const) {
      const r = await get(qs);
      expect([qs, r.status, r.body.error?.field]).toEqual([qs, 400, field]);
    }
    expect((await p.call('GET', '/v1/rules/draft-page', p.tokens.moderator)).status).toBe(403);
    expect((await p.call('GET', '/v1/rules/draft-page', p.tokens.admin)).status).toBe(200);
  });
});

describe('rules page in the console (Chromium)', () => {
  it('shows 50 of 50,000, pages with the keyboard, searches and filters on the server, and edits a rule from the page', async () => {
    const page = await signInConsole(browser, p.url, p.tokens.lead);
    const asked: string[] = [];
    page.on('request', (req) => asked.push(new URL(req.url()).pathname + new URL(req.url()).search));
    const range = page.locator('#rules-range');
    await page.waitForSelector('#rule-rows tr');
    await eventually(async () => (await range.textContent()) === '1–50 of 50,000');
    expect(await page.locator('#rule-rows tr').count()).toBe(50);
    expect(await page.locator('#rule-rows tr').first().textContent()).toContain('r-00000');

    await page.keyboard.press(']');
    await eventually(async () => (await range.textContent()) === '51–100 of 50,000');
    expect(await page.locator('#rule-rows tr').first().textContent()).toContain('r-00050');
    await page.getByRole('button', { name: /Next/ }).press('Enter');
    await eventually(async () => (await range.textContent()) === '101–150 of 50,000');
    await page.keyboard.press('[');
    await page.keyboard.press('[');
    await eventually(async () => (await range.textContent()) === '1–50 of 50,000');
    expect(await page.getByRole('button', { name: /Previous/ }).isDisabled()).toBe(true);

    // Search (debounced) then filter; the counts in the select say what each choice shows.
    await page.keyboard.press('/');
    await page.keyboard.type('word4999');
    const matches = seeded.filter((x) => x.pattern.includes('word4999'));
    await eventually(async () => (await range.textContent()) === `1–${matches.length} of ${matches.length}`);
    const weapons = matches.filter((x) => x.category === 'weapons');
    expect(await page.getByLabel('Filter by category').locator('option[value="weapons"]').textContent()).toBe(`weapons (${weapons.length})`);
    await page.getByLabel('Filter by category').selectOption('weapons');
    await eventually(async () => (await range.textContent()) === `1–${weapons.length} of ${weapons.length}`);
    expect(await page.locator('#rule-rows tr td:first-child').allTextContents()).toEqual(weapons.map((x) => x.id));
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-rules-page-filtered.png'), fullPage: true });

    // Edit from the page: shadow one, then change another's pattern through the form (its other fields kept).
    const target = weapons.find((x) => stateOf(x) === 'live') as Rule;
    await page.locator(`[data-shadow="${target.id}"]`).click();
    await eventually(async () => ((await p.deps.drafts.get(target.id)) as Rule).shadow === true);
    // The page reloads after a save; the form reads the rule as the page shows it.
    await page.waitForSelector(`[data-shadow="${target.id}"]:has-text("Unshadow")`);
    await page.locator(`[data-edit="${target.id}"]`).click();
    await page.getByLabel('Pattern', { exact: true }).fill('zebrafresh');
    await page.getByRole('button', { name: 'Save to draft' }).click();
    await page.waitForSelector(`text=Saved ${target.id} to the draft.`);
    expect(await p.deps.drafts.get(target.id)).toMatchObject({ pattern: 'zebrafresh', shadow: true, note: target.note, createdBy: 'lead:seed' });

    await page.getByLabel('Filter by category').selectOption('');
    await page.fill('#rule-search', '');
    await eventually(async () => (await range.textContent()) === '1–50 of 50,000');
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-rules-page.png'), fullPage: true });
    // The whole draft never reached the browser: only pages of at most 200.
    const drafts = asked.filter((u) => u.startsWith('/v1/rules/draft'));
    expect(drafts.some((u) => u.startsWith('/v1/rules/draft-page?'))).toBe(true);
    for (const u of drafts) expect(u.startsWith('/v1/rules/draft-page?') || u.startsWith('/v1/rules/draft/')).toBe(true);
    for (const u of drafts.filter((x) => x.startsWith('/v1/rules/draft-page?'))) expect(Number(new URLSearchParams(u.split('?')[1]).get('size'))).toBeLessThanOrEqual(200);
    await page.close();
  }, 120_000);
});
