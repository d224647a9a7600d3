/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { chromium, type Browser, type Page } from 'playwright-core';
import { normalize } from '@takedown/search-rules';
import { caseIdFor } from '@takedown/shared';
import { eventually } from '../support/test-context';
import { signInConsole } from '../support/console-page';
import { PIPELINE_AGENCY, startPipeline, type Pipeline } from '../support/pipeline';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';

// End to end in Debian's Chromium (never a downloaded browser), against the real stack.
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');

let p: Pipeline;
let proxy: SearchProxy;
let client: Client;
let browser: Browser;
let index: string;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  p = await startPipeline('console');
  index = p.ctx.config.contentIndex;
  proxy = await startSearchProxy(p.ctx.config);
  client = new Client({ node: proxy.url, auth: { bearer: p.tokens.search } });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await client.close();
  await proxy.stop();
  await p.stop();
});

const signIn = (token: string): Promise<Page> => signInConsole(browser, p.url, token);

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

describe('moderator console (Chromium)', () => {
  it('a moderator claims a case, reveals one blurred image (audited) and removes the post with the keyboard alone; search no longer finds it', async () => {
    const text = 'Selling cocaine tonight, fast delivery';
    const media = [{ sha256: 'cd'.repeat(32), kind: 'image' }, { sha256: 'ef'.repeat(32), kind: 'image' }];
    await p.ctx.es.index({ index, id: 'ui-post-1', document: { id: 'ui-post-1', type: 'post', text, media, authorId: 'seller-9', lang: 'en', createdAt: '2026-11-20T10:00:00Z', moderation: { normalizedText: normalize(text) } }, refresh: true });
    const r = await p.call('POST', '/v1/reports', p.tokens.reporter, {
      content: { id: 'ui-post-1', type: 'post', text, authorId: 'seller-9', lang: 'en', mediaSha256: ['cd'.repeat(32), 'ef'.repeat(32)] },
      reporter: { type: 'user', id: 'u1' },
      reason: 'drugs',
      note: 'selling drugs in my group',
    });
    expect(r.status).toBe(202);
    const caseId = caseIdFor('ui-post-1');
    await eventually(() => p.deps.cases.get(caseId));
    expect((await client.search({ index, query: { ids: { values: ['ui-post-1'] } } })).hits.hits).toHaveLength(1);

    const page = await signIn(p.tokens.moderator);
    await page.waitForSelector('text=Queues');
    await shot(page, 'console-queues');
    await page.keyboard.press('1'); // claim next from default
    await page.waitForSelector('#content-text');
    expect(await page.locator('#content-text mark.hit').first().textContent()).toBe('Selling cocaine');
    // The text shown is the platform's, and the page says so.
    expect(await page.locator('#content-source').textContent()).toContain('platform');
    expect(await page.locator('img[data-media]').count()).toBe(2);
    expect(await page.locator('img.blurred').count()).toBe(2);
    await page.waitForFunction(() => [...document.querySelectorAll('img[data-media]')].every((i) => (i as HTMLImageElement).src.startsWith('blob:')));
    await page.keyboard.press('v'); // reveal the first item
    await page.waitForFunction(() => document.querySelectorAll('img.blurred').length === 1);
    await shot(page, 'console-case');
    // The statement's ground: illegal content by default for drugs; "also illegal" only qualifies a terms decision.
    expect(await page.locator('#ground').inputValue()).toBe('illegal_content');
    expect(await page.locator('#also-illegal-row').isVisible()).toBe(false);
    await page.locator('#ground').selectOption('terms_and_conditions');
    expect(await page.locator('#also-illegal-row').isVisible()).toBe(true);
    await page.locator('#ground').selectOption('illegal_content');
    expect(await page.locator('#also-illegal-row').isVisible()).toBe(false);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('r'); // remove
    await page.keyboard.press('Enter'); // submit and next
    await page.waitForSelector('text=Queue default is empty');

    // The reveal and the decision are in the audit trail.
    await eventually(async () => {
      const detail = await p.call('GET', `/v1/cases/${caseId}`, p.tokens.moderator);
      const types = detail.body.audit.map((e: { type: string }) => e.type);
      return types.includes('media.revealed') && types.includes('decision.recorded');
    });
    const detail = await p.call('GET', `/v1/cases/${caseId}`, p.tokens.moderator);
    expect(detail.body.case).toMatchObject({ status: 'decided', lastAction: 'remove', decidedBy: 'moderator-1' });
    // The form sent the statement's ground (the category's default), and the statement passed.
    const decisionId = detail.body.case.lastDecisionId as string;
    expect(detail.body.decisions.find((d: { id: string }) => d.id === decisionId)).toMatchObject({ ground: 'illegal_content', category: 'drugs' });
    const statement = await eventually(async () => (await p.ctx.es.get({ index: p.deps.indices.statements, id: decisionId }, { ignore: [404] }))._source as { status?: string } | undefined);
    expect(statement.status).toBe('pending');
    // Gone from the platform's search.
    await eventually(async () => (await client.search({ index, query: { ids: { values: ['ui-post-1'] } } })).hits.hits.length === 0);
    await page.close();
  });

  it('a lead adds a blocked term, previews it and publishes; the search service then blocks that query', async () => {
    await client.search({ index, query: { match: { text: 'zebrapill for sale' } } }); // a logged search the preview will find
    const page = await signIn(p.tokens.lead);
    await page.waitForSelector('#rule-rows');
    await page.getByLabel('Id', { exact: true }).fill('zebrapill');
    await page.getByLabel('Pattern', { exact: true }).fill('zebrapill');
    await page.getByLabel('Scope', { exact: true }).selectOption('query');
    await page.getByLabel('Action', { exact: true }).selectOption('block_query');
    await page.getByRole('button', { name: 'Save to draft' }).click();
    await page.waitForSelector('text=Saved zebrapill to the draft.');
    // A content rule that hides posts until a moderator decides.
    await page.getByLabel('Id', { exact: true }).fill('zebra-sale');
    await page.getByLabel('Kind', { exact: true }).selectOption('phrase');
    await page.getByLabel('Pattern', { exact: true }).fill('zebrapill delivery');
    await page.getByLabel('Scope', { exact: true }).selectOption('content');
    await page.getByLabel('Action', { exact: true }).selectOption('flag_for_review');
    await page.getByLabel('While the case waits (flag_for_review)').selectOption('exclude');
    await page.getByRole('button', { name: 'Save to draft' }).click();
    await page.waitForSelector('text=Saved zebra-sale to the draft.');
    const draft = await p.call('GET', '/v1/rules/draft', p.tokens.lead);
    expect(draft.body.rules.find((r: { id: string }) => r.id === 'zebra-sale')).toMatchObject({ action: 'flag_for_review', untilReviewed: 'exclude', scope: ['content'] });
    await page.keyboard.press('p');
    await page.waitForSelector('[data-query-count="zebrapill"]');
    expect(await page.locator('[data-query-count="zebrapill"]').textContent()).toBe('1');
    await shot(page, 'console-rules-preview');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForSelector('text=/Published v\\d+: added zebra-sale, zebrapill;/');
    await eventually(async () => ((await client.search({ index, query: { match: { text: 'zebrapill' } } })) as unknown as { takedown?: { ruleId: string } }).takedown?.ruleId === 'zebrapill', 2000);

    await page.goto(`${p.url}/#/dashboard`);
    // Chart.js draws on canvas: wait for its instance on the decisions chart (test/e2e/dashboard.int.test.ts checks the charts themselves).
    await page.waitForFunction(() => {
      const c = document.querySelector('canvas[aria-label="Decisions by action"]');
      return c !== null && (globalThis as unknown as { Chart: { getChart(c: Element): unknown } }).Chart.getChart(c) !== undefined;
    });
    await shot(page, 'console-dashboard');
    await page.close();
  });

  it('a lead without the csam grant previews a draft rule that matches a CSAM post: not counted, no id, a notice; a removed post is its id and a notice', async () => {
    const text = 'zebrafoal pictures secretlima';
    await p.ctx.es.index({ index, id: 'ui-csam-1', document: { id: 'ui-csam-1', type: 'post', text, authorId: 'abuser-1', lang: 'en', createdAt: '2026-11-20T10:00:00Z', moderation: { state: 'removed', category: 'csam', normalizedText: normalize(text) } }, refresh: true });
    const removed = 'zebrafoal for sale secretmike';
    await p.ctx.es.index({ index, id: 'ui-removed-1', document: { id: 'ui-removed-1', type: 'post', text: removed, authorId: 'seller-11', lang: 'en', createdAt: '2026-11-20T10:00:00Z', moderation: { state: 'removed', category: 'drugs', normalizedText: normalize(removed) } }, refresh: true });
    const page = await signIn(p.tokens.lead);
    await page.waitForSelector('#rule-rows');
    await page.getByLabel('Id', { exact: true }).fill('zebrafoal');
    await page.getByLabel('Pattern', { exact: true }).fill('zebrafoal');
    await page.getByLabel('Category', { exact: true }).selectOption('drugs');
    await page.getByLabel('Scope', { exact: true }).selectOption('content');
    await page.getByLabel('Action', { exact: true }).selectOption('flag_for_review');
    await page.getByRole('button', { name: 'Save to draft' }).click();
    await page.waitForSelector('text=Saved zebrafoal to the draft.');
    await page.keyboard.press('p');
    await page.waitForSelector('[data-content-count="zebrafoal"]');
    // The removed drugs post is counted and shown as its id; the csam post is not counted at all.
    expect(await page.locator('[data-content-count="zebrafoal"]').textContent()).toBe('1');
    expect(await page.locator('[data-redacted="ui-removed-1"]').textContent()).toContain('csam grant');
    expect(await page.locator('[data-restricted]').textContent()).toContain('csam grant');
    await shot(page, 'console-rules-preview-redacted');
    // Not in the page, nor in anything the page received.
    for (const hidden of ['secretlima', 'ui-csam-1', 'secretmike']) expect(await page.content()).not.toContain(hidden);
    const seen = await page.evaluate(async () => (await fetch('/v1/rules/preview', { headers: { authorization: `Bearer ${sessionStorage.getItem('takedown.token')}` } })).text());
    expect(seen).toContain('ui-removed-1');
    for (const hidden of ['secretlima', 'ui-csam-1', 'secretmike']) expect(seen).not.toContain(hidden);
    await page.close();
    expect((await p.call('DELETE', '/v1/rules/draft/zebrafoal', p.tokens.lead)).status).toBe(204);
  });

  it('a moderator moves a case to the csam lane; a cleared moderator confirms it from the queues page', async () => {
    const r = await p.call('POST', '/v1/reports', p.tokens.reporter, { content: { id: 'ui-move-1', type: 'post', text: 'selling cocaine, photos inside', authorId: 'seller-10' }, reporter: { type: 'user' }, reason: 'drugs' });
    expect(r.status).toBe(202);
    const caseId = caseIdFor('ui-move-1');
    await eventually(() => p.deps.cases.get(caseId));
    const page = await signIn(p.tokens.moderator);
    await page.waitForSelector('text=Queues');
    await page.keyboard.press('1');
    await page.waitForSelector('#content-text');
    await page.getByLabel('Reason', { exact: true }).fill('the photos look like abuse material');
    await page.getByRole('button', { name: 'Move to the csam lane' }).click();
    await page.waitForSelector('text=Move requested');
    expect((await p.deps.cases.get(caseId))).toMatchObject({ lane: 'csam', status: 'open', categoryMove: { to: 'csam' } });
    await page.close();
    // The listing is Elasticsearch's (refreshed every second); the page polls it too, this only saves a poll.
    await eventually(async () => (await p.call('GET', '/v1/cases?pendingMove=true', p.tokens.csamModerator)).body.cases.some((x: { id: string }) => x.id === caseId));

    const cleared = await signIn(p.tokens.csamModerator);
    await cleared.waitForSelector(`[data-move="${caseId}"]`);
    await shot(cleared, 'console-pending-moves');
    await cleared.locator(`[data-confirm="${caseId}"]`).click();
    await cleared.waitForSelector('text=/move confirmed; now csam on the csam lane/');
    expect((await p.deps.cases.get(caseId))).toMatchObject({ category: 'csam', lane: 'csam' });
    await cleared.close();
  });

  it('an admin opens the job board; nobody else can', async () => {
    const page = await signIn(p.tokens.admin);
    await page.goto(`${p.url}/admin/queues/`);
    await page.waitForSelector('text=reports');
    await page.waitForLoadState('networkidle');
    await shot(page, 'console-job-board');
    await page.close();
    const anonymous = await browser.newPage();
    const res = await anonymous.goto(`${p.url}/admin/queues/`);
    expect(res?.status()).toBe(401);
    await anonymous.close();
  });

  it('a moderator cannot open the lead pages or the csam queue', async () => {
    const page = await signIn(p.tokens.moderator);
    await page.waitForSelector('text=Queues');
    expect(await page.locator('nav a:visible').allTextContents()).toEqual(['Queues', 'Appeals']);
    expect(await page.locator('[data-claim="csam"]').count()).toBe(0);
    await page.goto(`${p.url}/#/rules`);
    await page.waitForSelector('text=Not available');
    await shot(page, 'console-forbidden');
    await page.goto(`${p.url}/#/dashboard`);
    await page.waitForSelector('text=Not available');
    // Even calling the API from the page is refused.
    const statuses = await page.evaluate(async () => {
      const token = sessionStorage.getItem('takedown.token');
      const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const claim = await fetch('/v1/review/claim', { method: 'POST', headers: h, body: JSON.stringify({ queue: 'csam' }) });
      const rules = await fetch('/v1/rules/draft', { headers: h });
      return [claim.status, rules.status];
    });
    expect(statuses).toEqual([403, 403]);
    await page.close();
  });

  it('an admin adds a person holding two roles, issues them a token per role, and disables them: every token stops', async () => {
    const page = await signIn(p.tokens.admin);
    await page.waitForSelector('h1:text("People")');
    await page.getByLabel('Actor id (never reused)').fill('gina');
    await page.getByLabel('Display name').fill('Gina Example');
    await page.getByLabel('Email (optional)').fill('gina@example.org');
    await page.locator('input[name=p-role][value=moderator]').check();
    await page.locator('input[name=p-role][value=lead]').check();
    await page.getByLabel(/Cleared for csam/).check();
    await page.getByRole('button', { name: 'Add person' }).click();
    await page.waitForSelector('td:text("gina")');
    const issued: string[] = [];
    for (const role of ['moderator', 'lead']) {
      await page.locator('button[data-token="gina"]').click();
      await page.getByLabel('Role').selectOption(role);
      await page.getByLabel(/Token name/).fill(`gina-${role}`);
      await page.getByRole('button', { name: 'Issue token' }).click();
      // A new token, not the one the box still shows from the round before.
      await page.waitForFunction((before) => {
        const v = (document.querySelector('#new-token-value') as HTMLInputElement | null)?.value ?? '';
        return v.startsWith('tdk_') && !before.includes(v);
      }, issued);
      issued.push(await page.locator('#new-token-value').inputValue());
      await page.waitForSelector(`text=gina-${role}`);
    }
    await shot(page, 'console-people');
    // The clearance waits for a second admin: this one sees it pending and cannot confirm it.
    expect(await page.locator('button[data-grant="gina"]').count()).toBe(0);
    const before = await Promise.all(issued.map(async (t) => (await p.call('GET', '/v1/me', t)).body));
    expect(before.map((m) => [m.actorId, m.role, m.grants.csam ?? false])).toEqual([
      ['gina', 'moderator', false],
      ['gina', 'lead', false],
    ]);
    const second = await signIn(p.tokens.csamAdmin);
    await second.locator('button[data-grant="gina"][data-confirm="true"]').click();
    await second.waitForSelector('button[data-grant="gina"]', { state: 'detached' });
    await second.close();
    const me = await Promise.all(issued.map(async (t) => (await p.call('GET', '/v1/me', t)).body));
    expect(me.map((m) => [m.actorId, m.role, m.grants.csam])).toEqual([
      ['gina', 'moderator', true],
      ['gina', 'lead', true],
    ]);
    await page.reload();
    await page.waitForSelector('td:text("gina")');
    page.on('dialog', (d) => void d.accept());
    await page.locator('button[data-disable="gina"]').click();
    await page.waitForSelector('td:text("gina")', { state: 'detached' });
    for (const t of issued) expect((await p.call('GET', '/v1/me', t)).status).toBe(401);
    await page.close();
  });

  it('an admin gives an agency person a registered agency from the select, and a legal officer the emergency grant', async () => {
    const page = await signIn(p.tokens.admin);
    await page.waitForSelector('h1:text("People")');
    await page.waitForSelector(`#p-agency option[value="${PIPELINE_AGENCY.id}"]`, { state: 'attached' });
    await page.getByLabel('Actor id (never reused)').fill('bka-clerk');
    await page.getByLabel('Display name').fill('BKA request desk');
    await page.locator('input[name=p-role][value=agency]').check();
    await page.getByLabel(/Agency they act for/).selectOption(PIPELINE_AGENCY.id);
    await page.getByRole('button', { name: 'Add person' }).click();
    await page.waitForSelector('td:text("bka-clerk")');
    expect((await p.call('GET', '/v1/people/bka-clerk', p.tokens.admin)).body.person.grants).toEqual({ agency: PIPELINE_AGENCY.id });
    await page.getByLabel('Actor id (never reused)').fill('duty-officer');
    await page.getByLabel('Display name').fill('Duty officer');
    await page.locator('input[name=p-role][value=legal]').check();
    await page.getByLabel(/Emergency grant/).check();
    await page.getByRole('button', { name: 'Add person' }).click();
    await page.waitForSelector('td:text("duty-officer")');
    expect((await p.call('GET', '/v1/people/duty-officer', p.tokens.admin)).body.person.grants).toEqual({ emergency: true });
    await page.close();
  });

  it('an admin names the member state that designated a trusted flagger', async () => {
    const page = await signIn(p.tokens.admin);
    await page.waitForSelector('h1:text("People")');
    await page.getByLabel('Actor id (never reused)').fill('hotline-nl');
    await page.getByLabel('Display name').fill('Meldpunt NL');
    await page.locator('input[name=p-role][value=reporter]').check();
    await page.getByLabel('Reporter standing').selectOption('trusted_flagger');
    await page.getByLabel(/Member state/).selectOption('NL');
    await page.getByRole('button', { name: 'Add person' }).click();
    await page.waitForSelector('td:text("hotline-nl")');
    expect((await p.call('GET', '/v1/people/hotline-nl', p.tokens.admin)).body.person.grants).toEqual({ standing: 'trusted_flagger', memberState: 'NL' });
    await page.close();
  });
});
