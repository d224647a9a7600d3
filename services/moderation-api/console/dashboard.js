import { api, esc } from './api.js';
import { every, setShortcuts } from './app.js';
import { ACTION_COLORS, barChart, duration, figure, timeChart } from './charts.js';

const RANGES = [
  ['1h', '1 h'],
  ['6h', '6 h'],
  ['24h', '24 h'],
  ['7d', '7 d'],
];

/** "per 1 min", "per 15 min": what one bar of a counter chart counts. */
const per = (stepSeconds) => `per ${duration(stepSeconds)}`;

/** [[t, value]…] of one series (the API gives the times once, the values per series). */
const points = (t, values) => t.map((x, i) => [x, values[i] ?? 0]);

function drawSeries(main, s) {
  const lanes = Object.entries(s.queues);
  const base = { from: Date.parse(s.from), to: Date.parse(s.to) };
  timeChart(main.querySelector('#c-depth'), { ...base, unit: 'open cases', datasets: lanes.map(([lane, q]) => ({ label: lane, points: points(s.t, q.depth) })) });
  timeChart(main.querySelector('#c-age'), { ...base, unit: 'oldest wait', format: duration, datasets: lanes.map(([lane, q]) => ({ label: lane, points: points(s.t, q.oldestAgeSeconds) })) });
  timeChart(main.querySelector('#c-decisions'), {
    ...base,
    type: 'bar',
    stacked: true,
    unit: `decisions ${per(s.stepSeconds)}`,
    datasets: Object.entries(s.decisions).map(([action, v]) => ({ label: action, points: points(s.t, v), ...(Object.hasOwn(ACTION_COLORS, action) ? { color: ACTION_COLORS[action] } : {}) })),
  });
  timeChart(main.querySelector('#c-blocked'), { ...base, type: 'bar', stacked: true, unit: `searches ${per(s.stepSeconds)}`, datasets: Object.entries(s.blockedSearches).map(([category, v]) => ({ label: category, points: points(s.t, v) })) });
  main.querySelector('#d-note').textContent = s.t.length
    ? `${s.t.length} points, one per ${duration(s.stepSeconds)} (sampled every ${duration(s.sampleIntervalSeconds)}); queue charts show the highest value in each point's span.`
    : 'No samples in this range yet.';
}

function drawLatency(main, stats) {
  const buckets = stats.takedownLatency.buckets;
  barChart(main.querySelector('#c-latency'), {
    labels: buckets.map((b) => (b.leMs === '+Inf' ? 'slower' : `≤ ${b.leMs} ms`)),
    datasets: [{ label: 'takedowns', values: buckets.map((b, i) => b.count - (i > 0 ? buckets[i - 1].count : 0)) }],
    xUnit: `decision → takedown (${stats.takedownLatency.count} takedowns)`,
    yUnit: 'takedowns',
  });
}

/** Queue depth, oldest age, decisions and blocked searches over a chosen range (server-side history), and takedown latency. */
export async function renderDashboard({ main, isCurrent }) {
  let range = '1h';
  main.innerHTML = `<div class="row"><h1 style="margin:0 auto 0 0">Dashboard</h1>
      <div role="group" aria-label="Time range" id="d-range">${RANGES.map(([r, label], i) => `<button type="button" data-range="${r}" aria-pressed="${r === range}"><kbd>${i + 1}</kbd> ${esc(label)}</button>`).join(' ')}</div></div>
    <p class="muted" id="d-note" role="status"></p>
    <div class="grid" style="grid-template-columns:1fr 1fr">
      <div class="card">${figure('c-depth', 'Queue depth by lane')}</div>
      <div class="card">${figure('c-age', 'Oldest case waiting, by lane')}</div>
      <div class="card">${figure('c-decisions', 'Decisions by action')}</div>
      <div class="card">${figure('c-blocked', 'Blocked searches by category')}</div>
      <div class="card">${figure('c-latency', 'Decision → takedown latency (all time)')}</div>
    </div>`;
  const loadSeries = async () => {
    const s = await api('GET', `/v1/stats/series?range=${encodeURIComponent(range)}`);
    if (isCurrent() && s.range === range) drawSeries(main, s);
  };
  const loadStats = async () => {
    const stats = await api('GET', '/v1/stats');
    if (isCurrent()) drawLatency(main, stats);
  };
  const choose = (r) => {
    range = r;
    for (const b of main.querySelectorAll('#d-range button')) b.setAttribute('aria-pressed', String(b.dataset.range === r));
    void loadSeries().catch(() => undefined);
  };
  main.querySelector('#d-range').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-range]');
    if (b) choose(b.dataset.range);
  });
  setShortcuts(RANGES.map(([, label], i) => [String(i + 1), label]), (e, typing) => {
    const r = !typing && RANGES[Number(e.key) - 1];
    if (r) choose(r[0]);
  });
  await Promise.all([loadSeries(), loadStats()]);
  // The server samples every 10 s (by default): look again as often.
  every(10_000, () => void Promise.all([loadSeries(), loadStats()]).catch(() => undefined));
}
