/// <reference lib="dom" />
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createPublicKey } from 'node:crypto';
import { publicKeyPem, verifyDisclosurePackage } from '@takedown/shared';
import { PIPELINE_AGENCY, reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { eventually } from '../support/test-context';
import { startLegalWorker, type LegalWorkerHandle } from '../support/legal-worker';
import { seedSubscribers, tinyPdf } from '../support/legal';

// The legal desk end to end in Debian's Chromium, against the real stack and the legal worker.
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');
const CLI = path.resolve(__dirname, '..', '..', 'cli', 'bin', 'takedown.js');
const DAY = 86_400_000;
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

let p: Pipeline;
let worker: LegalWorkerHandle;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  p = await startPipeline('legal-e2e');
  const now = Date.now();
  await seedSubscribers(
    p,
    [
      { accountId: 'acc-e2e-1', username: 'e2e_suspect', phone: '+4915112345678', phoneCountry: 'DE' },
      { accountId: 'acc-e2e-2', username: 'e2e_bystander', phone: '+4915187650000', phoneCountry: 'DE' },
    ],
    [
      { accountId: 'acc-e2e-1', ip: '203.0.113.10', at: new Date(now - 10 * DAY).toISOString() },
      { accountId: 'acc-e2e-1', ip: '2001:db8::10', at: new Date(now - 5 * DAY).toISOString() },
      { accountId: 'acc-e2e-2', ip: '198.51.100.77', at: new Date(now - 6 * DAY).toISOString() },
    ],
  );
  worker = await startLegalWorker(p);
  worker.run();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await p?.stop();
});

/** The category labels of the Chart.js chart on `selector`, once it is drawn, and its values (Chart is the console's global). */
async function chartOf(page: Page, selector: string): Promise<{ labels: string[]; values: (number | null)[][] }> {
  const drawn = await page.waitForFunction((sel) => {
    const canvas = document.querySelector(sel);
    const chart = canvas && (globalThis as unknown as { Chart: { getChart(c: Element): { data: { labels: string[]; datasets: { data: (number | null)[] }[] } } | undefined } }).Chart.getChart(canvas);
    return chart && chart.data.labels.length > 0 ? { labels: chart.data.labels, values: chart.data.datasets.map((d) => d.data) } : false;
  }, selector);
  return (await drawn.jsonValue()) as { labels: string[]; values: (number | null)[][] };
}

async function signIn(token: string, hash = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await page.goto(p.url);
  await page.getByLabel('Access token').fill(token);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#who:not(:empty)');
  if (hash) await page.goto(`${p.url}/${hash}`);
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

describe('legal desk (Chromium)', () => {
  it('one officer enters an order, two others approve it, the package downloads, and takedown legal verify accepts it and refuses it with one byte changed', async () => {
    const now = Date.now();
    const entering = await signIn(p.tokens.legal);
    await entering.waitForSelector('h1:text("Legal requests")');
    await entering.getByLabel('Agency', { exact: true }).selectOption(PIPELINE_AGENCY.id);
    await entering.getByLabel('Requester name').fill('KHK Example');
    await entering.getByLabel('Requester email').fill('khk.example@polizei.example');
    await entering.getByLabel('Legal process').selectOption('court_order');
    await entering.getByLabel('Reference', { exact: true }).fill('AG-E2E-77');
    await entering.getByLabel('Issuing court or judge').fill('Amtsgericht Tiergarten');
    await entering.getByLabel('Issued on').fill(date(now - 3 * DAY));
    await entering.getByLabel(/The order \(PDF/).setInputFiles({ name: 'order.pdf', mimeType: 'application/pdf', buffer: tinyPdf('Order AG-E2E-77') });
    await entering.getByLabel('Legal basis').fill('§ 100g StPO');
    await entering.getByLabel('Offence category').fill('drug_trafficking');
    await entering.getByLabel(/states the target is a suspect/).check();
    await entering.getByLabel(/^Targets, one per line/).fill('username, e2e_suspect, suspect');
    await entering.getByLabel('Period from').fill(date(now - 30 * DAY));
    await entering.getByLabel('to', { exact: true }).fill(date(now - DAY));
    await entering.getByLabel('Due', { exact: true }).fill(date(now + 14 * DAY));
    await entering.getByRole('button', { name: 'Enter request' }).click();
    await entering.waitForURL(/#\/legal-request\//);
    const id = decodeURIComponent(entering.url().split('#/legal-request/')[1] ?? '');
    expect(id).not.toBe('');
    await entering.waitForSelector('text=Approval');
    // The officer who entered it starts the review and decides the target, but is never offered the approval.
    await entering.getByRole('button', { name: 'Start review' }).click();
    await entering.waitForSelector('button[data-produce="0"]');
    await entering.locator('button[data-produce="0"]').click();
    await entering.waitForSelector('td:text("produce")');
    expect(await entering.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await shot(entering, 'legal-request');

    for (const token of [p.tokens.legal2, p.tokens.legal3]) {
      const approver = await signIn(token, `#/legal-request/${encodeURIComponent(id)}`);
      await approver.waitForSelector(`h1:has-text("${id}")`);
      await approver.getByRole('button', { name: 'Approve' }).click();
      await approver.waitForFunction(() => !document.querySelector('button.primary[data-event="approve"]'));
      await approver.close();
    }

    // The package is built by the legal worker; the page looks again until it is there.
    await entering.reload();
    const button = entering.getByRole('button', { name: 'Download package' });
    await button.waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([entering.waitForEvent('download'), button.click()]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'legal-e2e-'));
    const file = path.join(dir, 'package.json');
    await download.saveAs(file);
    await shot(entering, 'legal-request-package');
    await entering.close();

    // The key the agency verifies with: published by the API, no token needed.
    const published = await fetch(`${p.url}/v1/legal/public-key`);
    const pem = await published.text();
    expect([published.status, pem]).toEqual([200, publicKeyPem(p.legalKeys.signingKey)]);
    fs.writeFileSync(path.join(dir, 'key.pem'), pem);
    const verify = (f: string) => spawnSync(process.execPath, [CLI, 'legal', 'verify', f, '--public-key', path.join(dir, 'key.pem')], { encoding: 'utf8' });
    const good = verify(file);
    expect([good.status, good.stderr]).toEqual([0, expect.stringContaining('valid: package')]);
    const bytes = fs.readFileSync(file);
    // Only the suspect's data left: the bystander's number and address are not in it.
    const verified = verifyDisclosurePackage(bytes, createPublicKey(p.legalKeys.signingKey));
    if (!verified.ok) throw new Error(verified.reason);
    const inside = verified.files.map((f) => f.content.toString('utf8')).join('\n');
    expect([inside.includes('203.0.113.10'), inside.includes('+4915112345678')]).toEqual([true, true]);
    expect([inside.includes('198.51.100.77'), inside.includes('+4915187650000')]).toEqual([false, false]);
    const changed = Buffer.from(bytes);
    const at = Math.floor(changed.length / 2);
    changed[at] = (changed[at] as number) ^ 1;
    fs.writeFileSync(path.join(dir, 'changed.json'), changed);
    const bad = verify(path.join(dir, 'changed.json'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).not.toBe('');
  });

  it('the transparency page shows the quarter by country, with the CSV', async () => {
    const page = await signIn(p.tokens.legal, '#/transparency');
    await page.waitForSelector('table[aria-label="Transparency report"]');
    await page.waitForSelector('#tr-method:not(:empty)');
    // The requests entered above are this quarter's: the chart (Chart.js, as on the dashboard) has a bar per country.
    const quarter = await page.locator('#tr-period').inputValue();
    const rows = ((await (await fetch(`${p.url}/v1/transparency/legal?period=${quarter}`)).json()) as { rows: { country: string; requestsReceived: number | string }[] }).rows;
    expect(rows.length).toBeGreaterThan(0);
    const chart = await chartOf(page, '#tr-chart canvas');
    expect(chart.labels).toEqual(rows.map((r) => r.country));
    // A count the report withholds ("<5") is no bar, and the page says so.
    expect(chart.values[0]).toEqual(rows.map((r) => (typeof r.requestsReceived === 'number' ? r.requestsReceived : null)));
    if (rows.some((r) => typeof r.requestsReceived !== 'number')) expect(await page.locator('#tr-chart p.muted').textContent()).toContain('not charted');
    await shot(page, 'legal-transparency');
    const csv = await page.locator('#tr-csv').getAttribute('href');
    expect(csv).toMatch(/format=csv/);
    expect((await fetch(`${p.url}${csv}`)).status).toBe(200);
    await page.close();
  });

  it('the transparency page shows the DSA Art. 15 figures beside the legal report', async () => {
    // A trusted flagger's notice this quarter (the page opens on the current one).
    expect((await p.call('POST', '/v1/reports', p.tokens.flagger, reportBody('post-dsa-page', { reporter: { type: 'trusted_flagger' } }))).status).toBe(202);
    const quarter = `${new Date().getUTCFullYear()}-Q${Math.floor(new Date().getUTCMonth() / 3) + 1}`;
    await eventually(async () => (await p.call('GET', `/v1/transparency/dsa?period=${quarter}`, p.tokens.legal)).body.notices?.length > 0);
    const page = await signIn(p.tokens.legal, '#/transparency');
    await page.waitForSelector('h1:text("Transparency: DSA Art. 15 figures (draft)")');
    await page.waitForSelector('table[aria-label="Notices received (Art. 16)"] td:text("drugs")');
    await page.waitForSelector('#dsa-method:not(:empty)');
    for (const h of ['Notices received (Art. 16)', 'Orders to act (Art. 9)', 'Orders to provide information (Art. 10)', 'Own-initiative decisions', 'Appeals (Art. 20)']) {
      expect(await page.locator(`h2:text("${h}")`).count()).toBe(1);
    }
    expect(await page.locator('#dsa-msg').textContent()).toBe('');
    // Notices by category, charted with the same library.
    const notices = await chartOf(page, '#dsa-chart canvas');
    expect(notices.labels).toEqual(['drugs']);
    expect(notices.values).toEqual([[1], [0]]);
    await shot(page, 'dsa-transparency');
    await page.close();
  });

  it('an agency sees its own requests on the desk and cannot approve', async () => {
    const page = await signIn(p.tokens.agency);
    await page.waitForSelector('h1:text("Legal requests")');
    expect(await page.locator('nav a:visible').allTextContents()).toEqual(['Legal desk']);
    expect(await page.getByRole('button', { name: 'File request' }).count()).toBe(1);
    await page.close();
  });
});
