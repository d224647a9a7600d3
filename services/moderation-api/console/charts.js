import { esc } from './api.js';

// Chart.js 4 with the date-fns adapter, served from node_modules at /vendor/ and loaded by index.html
// ahead of this module (canvas drawing: nothing inline, nothing from another origin, inside the console's CSP).
const Chart = globalThis.Chart;

export const PALETTE = ['#1f5fbf', '#b3261e', '#ef6c00', '#2e7d32', '#6a1b9a', '#00838f', '#5d4037', '#c2185b'];
export const ACTION_COLORS = { remove: '#b3261e', keep: '#2e7d32', escalate: '#ef6c00', restrict: '#6a1b9a', label: '#1565c0' };

/** Seconds as a short duration: 45 s, 12 min, 3.5 h, 2.1 d. */
export function duration(s) {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 360) / 10} h`;
  return `${Math.round(s / 8640) / 10} d`;
}

/** A figure with a caption and an empty chart box; the chart is drawn into it by `draw`. */
export function figure(id, title) {
  return `<figure><figcaption><strong>${esc(title)}</strong></figcaption><div class="chart"><canvas id="${esc(id)}" role="img" aria-label="${esc(title)}"></canvas></div></figure>`;
}

/**
 * Draws `config` on `canvas`: a chart already there takes the new data and
 * options in place (no flicker, hover kept); charts whose canvas left the
 * page (the view changed) are destroyed first.
 */
export function draw(canvas, config) {
  for (const c of Object.values(Chart.instances)) if (!c.canvas.isConnected) c.destroy();
  const chart = Chart.getChart(canvas);
  if (chart && chart.config.type === config.type) {
    chart.data = config.data;
    chart.options = config.options;
    chart.update('none');
    return chart;
  }
  chart?.destroy();
  return new Chart(canvas, config);
}

const axisTitle = (text) => ({ display: true, text });

/**
 * A time series chart: datasets are { label, points: [[ms, value]…], color? };
 * `unit` names the y axis, `format` writes a value for the axis and the tooltip.
 */
export function timeChart(canvas, { type = 'line', from, to, unit, datasets, stacked = false, format = (v) => String(v) }) {
  return draw(canvas, {
    type,
    data: {
      datasets: datasets.map((d, i) => ({
        label: d.label,
        data: d.points.map(([x, y]) => ({ x, y })),
        borderColor: d.color ?? PALETTE[i % PALETTE.length],
        backgroundColor: d.color ?? PALETTE[i % PALETTE.length],
        borderWidth: type === 'line' ? 2 : 0,
        pointRadius: d.points.length > 60 ? 0 : 2,
        pointHoverRadius: 4,
        tension: 0,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: {
          type: 'time',
          min: from,
          max: to,
          stacked,
          time: { tooltipFormat: 'yyyy-MM-dd HH:mm:ss', displayFormats: { second: 'HH:mm:ss', minute: 'HH:mm', hour: 'd MMM HH:mm', day: 'd MMM' } },
          ticks: { maxRotation: 0, autoSkipPadding: 16 },
          title: axisTitle('time (local)'),
        },
        y: { beginAtZero: true, stacked, title: axisTitle(unit), ticks: { precision: 0, callback: (v) => format(v) } },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${format(c.parsed.y)}` } },
      },
    },
  });
}

/** Bars over named categories: datasets are { label, values: number[], color? } against `labels`. */
export function barChart(canvas, { labels, datasets, xUnit, yUnit, stacked = false }) {
  return draw(canvas, {
    type: 'bar',
    data: { labels, datasets: datasets.map((d, i) => ({ label: d.label, data: d.values, backgroundColor: d.color ?? PALETTE[i % PALETTE.length] })) },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { stacked, title: axisTitle(xUnit) },
        y: { beginAtZero: true, stacked, title: axisTitle(yUnit), ticks: { precision: 0 } },
      },
      plugins: { legend: { display: datasets.length > 1, position: 'bottom' } },
    },
  });
}
