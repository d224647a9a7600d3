import { api, esc } from './api.js';
import { every, setShortcuts } from './app.js';

const COLORS = { remove: '#b3261e', keep: '#2e7d32', escalate: '#ef6c00', restrict: '#6a1b9a', label: '#1565c0' };

/** A bar chart in SVG; `series` is [label, value, color?][]. */
export function bars(title, series, { width = 560, height = 160 } = {}) {
  const max = Math.max(1, ...series.map((s) => s[1]));
  const w = width / Math.max(1, series.length);
  return `<figure><figcaption><strong>${esc(title)}</strong></figcaption><svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height + 30}" width="100%">
    ${series.map(([label, v, color], i) => {
      const h = (v / max) * height;
      return `<rect x="${i * w + 2}" y="${height - h}" width="${Math.max(1, w - 4)}" height="${h}" fill="${color ?? '#1f5fbf'}"><title>${esc(label)}: ${v}</title></rect>${series.length <= 14 && (series.length <= 7 || i % 2 === 0) ? `<text x="${i * w + 2}" y="${height + 14}">${esc(label)}</text>` : ''}`;
    }).join('')}
  </svg></figure>`;
}

/** Stacked bars per hour for decisions by action. */
function stacked(title, hours) {
  const width = 560;
  const height = 160;
  const max = Math.max(1, ...hours.map((h) => Object.values(h.byAction).reduce((a, b) => a + b, 0)));
  const w = width / Math.max(1, hours.length);
  return `<figure><figcaption><strong>${esc(title)}</strong> ${Object.entries(COLORS).map(([a, c]) => `<span style="color:${c}">■</span> ${a}`).join(' ')}</figcaption><svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height + 20}" width="100%">
    ${hours.map((h, i) => {
      let y = height;
      return Object.entries(h.byAction).map(([a, n]) => {
        const hh = (n / max) * height;
        y -= hh;
        return `<rect x="${i * w + 1}" y="${y}" width="${Math.max(1, w - 2)}" height="${hh}" fill="${COLORS[a] ?? '#888'}"><title>${esc(h.hour)} ${esc(a)}: ${n}</title></rect>`;
      }).join('');
    }).join('')}
  </svg></figure>`;
}

/** Line chart of queue depth samples since the page opened. */
function lines(title, samples, key) {
  const width = 560;
  const height = 140;
  const queues = [...new Set(samples.flatMap((s) => s.queues.map((q) => q.queue)))];
  const max = Math.max(1, ...samples.flatMap((s) => s.queues.map((q) => q[key])));
  const x = (i) => (samples.length <= 1 ? 0 : (i / (samples.length - 1)) * width);
  const palette = ['#1f5fbf', '#b3261e', '#ef6c00', '#2e7d32'];
  return `<figure><figcaption><strong>${esc(title)}</strong> ${queues.map((q, i) => `<span style="color:${palette[i % 4]}">—</span> ${esc(q)}`).join(' ')}</figcaption><svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height}" width="100%">
    ${queues.map((q, qi) => `<polyline fill="none" stroke="${palette[qi % 4]}" stroke-width="2" points="${samples.map((s, i) => `${x(i)},${height - ((s.queues.find((z) => z.queue === q)?.[key] ?? 0) / max) * (height - 10)}`).join(' ')}"/>`).join('')}
  </svg></figure>`;
}

export async function renderDashboard({ main }) {
  const samples = [];
  main.innerHTML = `<h1>Dashboard</h1><div class="grid" style="grid-template-columns:1fr 1fr">
    <div class="card" id="d-depth"></div><div class="card" id="d-age"></div>
    <div class="card" id="d-decisions"></div><div class="card" id="d-latency"></div>
    <div class="card" id="d-blocked"></div></div>`;
  const refresh = async () => {
    const s = await api('GET', '/v1/stats');
    samples.push({ at: Date.now(), queues: s.queues });
    if (samples.length > 360) samples.shift();
    main.querySelector('#d-depth').innerHTML = lines('Queue depth (since this page opened)', samples, 'depth');
    main.querySelector('#d-age').innerHTML = lines('Oldest case age, seconds', samples, 'oldestAgeSeconds');
    main.querySelector('#d-decisions').innerHTML = stacked('Decisions per hour by action (24 h)', s.decisionsPerHour);
    main.querySelector('#d-latency').innerHTML = bars(
      `Decision → takedown (${s.takedownLatency.count} takedowns)`,
      s.takedownLatency.buckets.map((b, i, all) => [`≤${b.leMs === '+Inf' ? '∞' : b.leMs}ms`, b.count - (i > 0 ? all[i - 1].count : 0)]),
    );
    main.querySelector('#d-blocked').innerHTML = bars('Blocked searches by category', Object.entries(s.blockedSearches).map(([k, v]) => [k, v, '#b3261e']));
  };
  setShortcuts([], null);
  await refresh();
  every(5000, refresh);
}
