/// <reference lib="dom" />
import { chromium, type Browser, type Page } from 'playwright-core';
import type { StoredStatement } from '@takedown/shared';
import { signInConsole } from '../support/console-page';
import { startPipeline, type Pipeline } from '../support/pipeline';
import { readStatement, seedStatements, storedStatement } from '../support/stored-statements';

// Debian's Chromium, against the real stack (as console.int.test.ts).
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

let p: Pipeline;
let browser: Browser;

const doc = (puid: string, status: StoredStatement['status'], extra: Partial<StoredStatement> = {}): StoredStatement => ({ ...storedStatement(puid), status, ...extra });

beforeAll(async () => {
  p = await startPipeline('statements-console');
  await seedStatements(p.ctx.es, p.deps.indices.statements, [
    doc('ui-pending', 'pending'),
    doc('ui-failed', 'failed', { attempts: 10, lastError: 'HTTP 503: Service unavailable.' }),
    doc('ui-rejected', 'rejected', { problems: [{ field: 'content_language', code: 'tdb_rejected', message: 'The selected content language is invalid.' }] }),
  ]);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await p.stop();
});

const signIn = (token: string): Promise<Page> => signInConsole(browser, p.url, token, { width: 1280, height: 900 });

describe('statements page (Chromium)', () => {
  it('a lead sees counts by status and the failed statements with their error, and requeues one', async () => {
    const page = await signIn(p.tokens.lead);
    await page.goto(`${p.url}/#/statements/failed`);
    await page.waitForSelector('#s-summary table');
    expect(await page.locator('#s-summary').textContent()).toMatch(/pending.*failed/s);
    const card = page.locator('#s-list .card', { hasText: 'ui-failed' });
    await card.waitFor();
    expect(await card.textContent()).toContain('HTTP 503: Service unavailable.');
    await card.getByRole('button', { name: 'Requeue' }).click();
    await page.waitForSelector('#s-msg:has-text("ui-failed is pending again.")');
    expect(await readStatement(p.ctx.es, p.deps.indices.statements, 'ui-failed')).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('rejected statements show the database problems by field; an admin sees them but has no requeue', async () => {
    const page = await signIn(p.tokens.admin);
    await page.goto(`${p.url}/#/statements/rejected`);
    const card = page.locator('#s-list .card', { hasText: 'ui-rejected' });
    await card.waitFor();
    expect(await card.textContent()).toContain('content_language The selected content language is invalid.');
    expect(await card.getByRole('button', { name: 'Requeue' }).count()).toBe(0);
  });

  it('a moderator has no Statements link and cannot open the page', async () => {
    const page = await signIn(p.tokens.moderator);
    await page.waitForSelector('text=Queues');
    expect(await page.locator('nav a:visible').allTextContents()).not.toContain('Statements');
    await page.goto(`${p.url}/#/statements`);
    await page.waitForSelector('text=Not available');
  });
});
