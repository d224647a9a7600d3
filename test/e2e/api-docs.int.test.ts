/// <reference lib="dom" />
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ACCESS } from '@takedown/moderation-api';
import { startPipeline, type Pipeline } from '../support/pipeline';

// Debian's Chromium, against the real stack (as console.int.test.ts).
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');

let p: Pipeline;
let browser: Browser;

beforeAll(async () => {
  p = await startPipeline('api-docs');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await p.stop();
});

describe('/docs (Chromium)', () => {
  it('renders every operation from /openapi.json, loading nothing from another origin and breaking no CSP rule', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const foreign: string[] = [];
    const problems: string[] = [];
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (url.protocol !== 'data:' && url.origin !== p.url) foreign.push(req.url());
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(`${p.url}/docs`);
    await page.waitForSelector('.opblock');
    const operations = await page.locator('.opblock').count();
    expect(operations).toBe(Object.keys(ACCESS).length);
    expect(await page.locator('.info .title').textContent()).toContain('Takedown moderation API');
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-docs.png') });
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
  });
});
