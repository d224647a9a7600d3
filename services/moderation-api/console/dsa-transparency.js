import { api, ApiError, download, esc } from './api.js';
import { barChart, figure } from './charts.js';

/** Periods offered: the current and previous years, halves and quarters. */
function periods(now = new Date()) {
  const out = [];
  const y = now.getUTCFullYear();
  for (const year of [y, y - 1]) {
    for (let q = 4; q >= 1; q--) out.push(`${year}-Q${q}`);
    out.push(`${year}-H2`, `${year}-H1`, String(year));
  }
  return out;
}

const cell = (v) => esc(v === null || v === undefined ? '–' : v);
const pct = (v) => (v === null || v === undefined ? '–' : `${Math.round(v * 1000) / 10} %`);

function table(label, head, rows) {
  if (rows.length === 0) return `<h2>${esc(label)}</h2><p class="muted">None in this period.</p>`;
  return `<h2>${esc(label)}</h2><table aria-label="${esc(label)}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** Notices received per category, by trusted flaggers and by others (stacked), above the tables. */
function drawNotices(box, notices, period) {
  if (notices.length === 0) {
    box.innerHTML = '';
    return;
  }
  box.innerHTML = figure('dsa-canvas', `Notices received by category, ${period}`);
  barChart(box.querySelector('canvas'), {
    labels: notices.map((r) => r.category),
    datasets: [
      { label: 'trusted flaggers', values: notices.map((r) => r.byTrustedFlaggers ?? 0) },
      { label: 'others', values: notices.map((r) => r.byOthers ?? 0) },
    ],
    xUnit: 'category',
    yUnit: 'notices',
    stacked: true,
  });
}

/**
 * The DSA Art. 15 figures (GET /v1/transparency/dsa), rendered into
 * `container` beside the legal report: the draft of the published report,
 * for leads, legal and admins (the API needs the token, so the CSV is
 * fetched with it too).
 */
export async function renderDsaFigures(container, isCurrent) {
  container.innerHTML = `<div class="card"><div class="row"><h1 style="margin:0 auto 0 0">Transparency: DSA Art. 15 figures (draft)</h1>
      <label for="dsa-period" class="muted">Period</label><select id="dsa-period">${periods().map((p) => `<option>${p}</option>`).join('')}</select>
      <button id="dsa-csv" type="button">CSV</button></div>
      <p class="muted" id="dsa-msg" role="status"></p>
      <div id="dsa-chart"></div>
      <div id="dsa-tables"></div>
      <p class="muted" id="dsa-method"></p></div>`;
  const msg = container.querySelector('#dsa-msg');
  const select = container.querySelector('#dsa-period');
  const load = async () => {
    const period = select.value;
    msg.textContent = '';
    let f;
    try {
      f = await api('GET', `/v1/transparency/dsa?period=${encodeURIComponent(period)}`);
    } catch (err) {
      if (!isCurrent()) return;
      container.querySelector('#dsa-tables').innerHTML = '';
      container.querySelector('#dsa-chart').innerHTML = '';
      msg.textContent = err instanceof ApiError ? err.message : 'could not load the figures';
      return;
    }
    if (!isCurrent()) return;
    drawNotices(container.querySelector('#dsa-chart'), f.notices, period);
    container.querySelector('#dsa-tables').innerHTML = [
      table('Notices received (Art. 16)', ['Category', 'Received', 'By trusted flaggers', 'By others', 'Decided', 'Median hours to action'], f.notices.map((r) => [esc(r.category), cell(r.received), cell(r.byTrustedFlaggers), cell(r.byOthers), cell(r.decided), cell(r.medianHoursToAction)])),
      ...[
        ['Orders to act (Art. 9)', f.article9Orders],
        ['Orders to provide information (Art. 10)', f.article10Orders],
      ].map(([label, rows]) => table(label, ['Category', 'Member state', 'Received', 'Median hours to acknowledge', 'Given effect', 'Median hours to give effect'], rows.map((r) => [esc(r.category), esc(r.memberState), cell(r.received), cell(r.medianHoursToAcknowledge), cell(r.givenEffect), cell(r.medianHoursToGiveEffect)]))),
      table('Own-initiative decisions', ['Category', 'Decisions', 'Fully automated', 'At least partially automated', 'Share fully automated', 'Share at least partially automated'], f.ownInitiative.map((r) => [esc(r.category), cell(r.decisions), cell(r.fullyAutomated), cell(r.atLeastPartiallyAutomated), pct(r.shareFullyAutomated), pct(r.shareAtLeastPartiallyAutomated)])),
      table('Appeals (Art. 20)', ['Category', 'Received', 'Decided', 'Median hours to decide', 'Reversed', 'Share reversed'], f.appeals.map((r) => [esc(r.category), cell(r.received), cell(r.decided), cell(r.medianHoursToDecide), cell(r.reversed), pct(r.shareReversed)])),
    ].join('');
    container.querySelector('#dsa-method').textContent = f.method;
  };
  container.querySelector('#dsa-csv').addEventListener('click', async () => {
    const period = select.value;
    await download(`/v1/transparency/dsa?period=${encodeURIComponent(period)}&format=csv`, `takedown-dsa-art15-${period}.csv`, msg);
  });
  select.addEventListener('change', load);
  await load();
}
