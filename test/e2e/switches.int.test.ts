/// <reference lib="dom" />
import { chromium, type Browser, type Page } from 'playwright-core';
import { signInConsole } from '../support/console-page';
import { offIn, publishFeatures } from '../support/features';
import { startPipeline, type Pipeline } from '../support/pipeline';

// Debian's Chromium, against the real stack (as console.int.test.ts).
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

let p: Pipeline;
let browser: Browser;

const basis = { text: 'Order of the regional court', reference: 'LG-2026-17' };

beforeAll(async () => {
  p = await startPipeline('switches-console');
  await publishFeatures(p, p.tokens.lead, { people_nearby: offIn('DE', { id: 'de-off', description: 'Find users near you', reason: 'court order', legalBasis: basis }) }, 'People Nearby off in DE');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await p.stop();
});

const signIn = (token: string): Promise<Page> => signInConsole(browser, p.url, token, { width: 1280, height: 900 });

describe('switches page (Chromium)', () => {
  it('legal sees the state per country, edits a feature, previews the countries that change, publishes with a note, and rolls back', async () => {
    const page = await signIn(p.tokens.legal);
    await page.goto(`${p.url}/#/switches`);
    const row = page.locator('#sw-states tr[data-feature="people_nearby"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('DE: off · de-off');
    expect(await row.locator('td').nth(1).textContent()).toBe('on · default');

    // Edit: off in FR as well.
    await row.getByRole('button', { name: 'Edit' }).click();
    const body = JSON.parse(await page.locator('#sw-body').inputValue()) as { rules: unknown[] };
    body.rules.push({ id: 'fr-off', countries: ['FR'], state: 'off', reason: 'decree', legalBasis: basis });
    await page.locator('#sw-body').fill(JSON.stringify(body));
    await page.getByRole('button', { name: 'Save to draft' }).click();
    await page.waitForSelector('#sw-form-msg:has-text("Saved to the draft")');

    // A bad country is refused, naming the field.
    body.rules.push({ id: 'xx-off', countries: ['XX'], state: 'off', reason: 'x', legalBasis: basis });
    await page.locator('#sw-body').fill(JSON.stringify(body));
    await page.getByRole('button', { name: 'Save to draft' }).click();
    await page.waitForSelector('#sw-form-msg:has-text("/rules/2/countries/0")');

    await page.getByRole('button', { name: /^Preview/ }).click();
    await page.waitForSelector('#sw-preview:has-text("Countries that change: FR")');

    await page.locator('#sw-note').fill('People Nearby off in FR (decree)');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.waitForSelector('#sw-publish-msg:has-text("Published version 2")');
    await page.waitForSelector('#sw-states tr[data-feature="people_nearby"]:has-text("FR: off · fr-off")');
    expect(await page.locator('#sw-history').textContent()).toContain('People Nearby off in FR (decree)');

    // Roll back to version 1.
    page.once('dialog', (d) => void d.accept('FR decree withdrawn'));
    await page.locator('#sw-history button[data-rollback="1"]').click();
    await page.waitForFunction(() => !document.querySelector('#sw-states')?.textContent?.includes('FR: off'));
    const live = await p.call('GET', '/v1/features', p.tokens.legal);
    expect(live.body.version).toBe(3);
    expect(live.body.features[0].rules.map((r: { id: string }) => r.id)).toEqual(['de-off']);
  });
});
