/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { StatsSampler } from '@takedown/moderation-api';
import { createLogger } from '@takedown/shared';
import { eventually } from '../support/test-context';
import { signInConsole } from '../support/console-page';
import { reportBody, startPipeline, type Pipeline } from '../support/pipeline';

// The dashboard in Debian's Chromium against the real API, with history seeded through the real sampler.
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');

let p: Pipeline;
let browser: Browser;

/** What the page's Chart.js instance on `selector` holds (Chart is the global the vendor script defines). */
interface ChartView {
  labels: string[];
  points: number;
  xSpanMs: number;
  painted: number;
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  p = await startPipeline('dashboard');
  // Open cases in two lanes, so the depth chart has lines.
  for (const [id, reason] of [['dash-1', 'drugs'], ['dash-2', 'drugs'], ['dash-3', 'csam']] as const) {
    expect((await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody(id, { reason }))).status).toBe(202);
  }
  await eventually(async () => (await p.deps.cases.laneStats()).reduce((a, l) => a + l.depth, 0) >= 3);
  // 50 minutes of history, one sample a minute, decisions and blocked searches growing between them.
  const sampler = new StatsSampler(
    { redis: p.deps.redis, keys: p.deps.cases.keys, cases: p.deps.cases, blockedCounts: p.deps.rulesets.keys.blockedCounts, logger: createLogger({ name: 'dashboard-e2e', level: 'silent' }) },
    { intervalMs: 10_000, retentionMs: 7 * 86_400_000 },
  );
  const shard = p.deps.cases.keys.shards[0]!;
  // On a minute boundary: each of these samples is also the first of its minute, so the 24 h and 7 d views (the thinned tier) have them too.
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  for (let i = 50; i >= 1; i--) {
    await p.ctx.redis.hincrby(shard.decisionCounts, i % 3 === 0 ? 'keep' : 'remove', 1 + (i % 4));
    await p.ctx.redis.hincrby(shard.decisionCountsOutsideCsam, i % 3 === 0 ? 'keep' : 'remove', 1 + (i % 4));
    await p.ctx.redis.hincrby(p.deps.rulesets.keys.blockedCounts, i % 2 === 0 ? 'drugs' : 'weapons', 1 + (i % 5));
    await p.ctx.redis.hincrby(p.deps.rulesets.keys.blockedCounts, 'csam', 1);
    expect(await sampler.sampleOnce(now - i * 60_000)).toBe(true);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await p.stop();
});

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

function chartOn(page: Page, selector: string): Promise<ChartView | null> {
  return page.evaluate((sel) => {
    const canvas = document.querySelector<HTMLCanvasElement>(sel);
    const chart = canvas && (globalThis as unknown as { Chart: { getChart(c: HTMLCanvasElement): any } }).Chart.getChart(canvas);
    if (!canvas || !chart) return null;
    // Pixels actually drawn: a blank canvas is all transparent.
    const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < px.length; i += 4) if ((px[i] as number) > 0) painted++;
    return {
      labels: chart.data.datasets.map((d: { label: string }) => d.label),
      points: chart.data.datasets.reduce((a: number, d: { data: unknown[] }) => a + d.data.length, 0),
      xSpanMs: chart.scales.x.max - chart.scales.x.min,
      painted,
    };
  }, selector);
}

async function openDashboard(token: string): Promise<{ page: Page; errors: string[] }> {
  const page = await signInConsole(browser, p.url, token);
  const errors: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  page.on('pageerror', (e) => void errors.push(e.message));
  await page.goto(`${p.url}/#/dashboard`);
  for (const id of ['#c-depth', '#c-age', '#c-decisions', '#c-blocked', '#c-latency']) {
    await page.waitForFunction((sel) => {
      const c = document.querySelector(sel);
      return c !== null && (globalThis as unknown as { Chart: { getChart(c: Element): unknown } }).Chart.getChart(c) !== undefined;
    }, id);
  }
  return { page, errors };
}

describe('dashboard (Chromium)', () => {
  it('draws the seeded history with Chart.js, shows a tooltip on hover, and reloads the series when the range changes', async () => {
    const { page, errors } = await openDashboard(p.tokens.lead);
    for (const id of ['#c-depth', '#c-age', '#c-decisions', '#c-blocked']) {
      const view = await chartOn(page, id);
      expect({ id, drawn: (view?.points ?? 0) > 0 && (view?.painted ?? 0) > 1000, span: view?.xSpanMs }).toEqual({ id, drawn: true, span: 3_600_000 });
    }
    expect((await chartOn(page, '#c-decisions'))?.labels.sort()).toEqual(['keep', 'remove']);
    expect((await chartOn(page, '#c-blocked'))?.labels.sort()).toEqual(['drugs', 'weapons']);
    // No csam lane without the grant.
    expect((await chartOn(page, '#c-depth'))?.labels).toEqual(['default', 'escalated', 'appeals']);
    await shot(page, 'dashboard-1h');

    // Hover the middle of the decisions chart: its tooltip lists the actions at that time.
    const at = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('#c-decisions')!;
      const chart = (globalThis as unknown as { Chart: { getChart(c: HTMLCanvasElement): any } }).Chart.getChart(canvas);
      const meta = chart.getDatasetMeta(0);
      const el = meta.data[Math.floor(meta.data.length / 2)];
      const r = canvas.getBoundingClientRect();
      return { x: r.left + el.x, y: r.top + (chart.chartArea.top + chart.chartArea.bottom) / 2 };
    });
    await page.mouse.move(at.x, at.y);
    const tooltip = await page.waitForFunction(() => {
      const chart = (globalThis as unknown as { Chart: { getChart(c: Element): any } }).Chart.getChart(document.querySelector('#c-decisions')!);
      const t = chart.tooltip;
      return t.opacity > 0 && t.getActiveElements().length > 0 ? { title: t.title as string[], body: t.body.flatMap((b: { lines: string[] }) => b.lines) as string[] } : false;
    });
    const shown = (await tooltip.jsonValue()) as { title: string[]; body: string[] };
    expect(shown.title.join(' ')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(shown.body.some((l) => /^(remove|keep): \d+$/.test(l))).toBe(true);
    await shot(page, 'dashboard-tooltip');

    // Another range: the page asks for it, and the time axis spans it.
    const asked = page.waitForRequest((r) => r.url().includes('/v1/stats/series?range=24h'));
    await page.getByRole('button', { name: '24 h' }).click();
    await asked;
    await page.waitForFunction(() => {
      const chart = (globalThis as unknown as { Chart: { getChart(c: Element): any } }).Chart.getChart(document.querySelector('#c-depth')!);
      return chart.scales.x.max - chart.scales.x.min === 86_400_000;
    });
    expect(await page.getByRole('button', { name: '24 h' }).getAttribute('aria-pressed')).toBe('true');
    expect((await chartOn(page, '#c-decisions'))?.points).toBeGreaterThan(0);
    // The keyboard does the same: 4 is 7 days.
    const week = page.waitForRequest((r) => r.url().includes('/v1/stats/series?range=7d'));
    await page.keyboard.press('4');
    await week;
    await shot(page, 'dashboard-7d');
    // Chart.js ran inside the console's CSP: nothing refused, nothing thrown.
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the csam lane and csam blocked searches to a lead with the csam grant', async () => {
    const { page } = await openDashboard(p.tokens.csamLead);
    expect((await chartOn(page, '#c-depth'))?.labels).toEqual(['default', 'csam', 'escalated', 'appeals']);
    expect((await chartOn(page, '#c-blocked'))?.labels.sort()).toEqual(['csam', 'drugs', 'weapons']);
    await page.close();
  });

  it('serves the chart library from this origin only', async () => {
    const html = await (await fetch(`${p.url}/`)).text();
    const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts).toEqual(['/vendor/chart.umd.min.js', '/vendor/chartjs-adapter-date-fns.bundle.min.js', '/app.js']);
    for (const s of scripts.slice(0, 2)) {
      const res = await fetch(`${p.url}${s}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/javascript/);
    }
    expect((await fetch(`${p.url}/vendor/package.json`)).status).toBe(404);
  });
});
