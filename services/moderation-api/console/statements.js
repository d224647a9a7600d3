import { api, esc } from './api.js';
import { every, setShortcuts } from './app.js';

const STATUSES = ['failed', 'rejected', 'invalid', 'pending', 'submitted'];
const HELP = {
  pending: 'waiting for submission, or for a retry',
  submitted: 'accepted by the Transparency Database (or it had the puid already)',
  invalid: 'refused by our validator before storing: never submitted; rebuild once the data it lacked is there',
  rejected: 'refused by the Transparency Database: fix the cause, then rebuild (composed again) or requeue (sent as it is)',
  failed: 'gave up after the maximum attempts (timeouts, 5xx, 429): requeue once the database is reachable',
};

function age(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/**
 * Statements of reasons and their submission to the EU Transparency
 * Database: counts by status, the statements of one status with their
 * problems, and (leads) the requeue of a failed or rejected one and the
 * rebuild of an invalid or rejected one (composed again from the case and
 * the post as they are now).
 */
export async function renderStatements({ main, me, arg, isCurrent }) {
  const status = STATUSES.includes(arg) ? arg : 'failed';
  const mayRequeue = me.role === 'lead';
  main.innerHTML = `<h1>Statements of reasons</h1>
    <div class="card" id="s-summary" aria-live="polite"></div>
    <div class="card">
      <label for="s-status">Show</label>
      <select id="s-status">${STATUSES.map((s) => `<option value="${s}" ${s === status ? 'selected' : ''}>${s}</option>`).join('')}</select>
      <span class="muted">${esc(HELP[status])}</span>
      <p id="s-msg" role="status"></p>
      <div id="s-list"></div>
      <button type="button" id="s-more" hidden>More</button>
    </div>`;
  main.querySelector('#s-status').addEventListener('change', (e) => (location.hash = `#/statements/${e.target.value}`));

  const summary = async () => {
    const s = await api('GET', '/v1/statements/summary');
    if (!isCurrent()) return;
    const sub = s.submitter;
    main.querySelector('#s-summary').innerHTML = `<table><caption>By status</caption><tr>${STATUSES.map((k) => `<th scope="col"><a href="#/statements/${k}">${k}</a></th>`).join('')}</tr>
      <tr>${STATUSES.map((k) => `<td>${s.byStatus[k] ?? 0}</td>`).join('')}</tr></table>
      <p>Oldest pending: ${esc(age(s.oldestPendingAgeSeconds))} · submitted ${sub.submitted} (duplicates ${sub.duplicates}) · rejected ${sub.rejected} · failed ${sub.failed} · retries ${sub.retries} · calls ${sub.calls}${sub.authFailures ? ` · <strong class="error">token refused ${sub.authFailures}×</strong>` : ''}</p>`;
  };

  let next = null;
  const list = main.querySelector('#s-list');
  const more = main.querySelector('#s-more');
  const page = async () => {
    const r = await api('GET', `/v1/statements?status=${encodeURIComponent(status)}&size=50${next ? `&after=${encodeURIComponent(next)}` : ''}`);
    if (!isCurrent()) return;
    next = r.next;
    more.hidden = !next;
    if (r.statements.length === 0 && !list.children.length) list.innerHTML = '<p class="muted">None.</p>';
    for (const s of r.statements) {
      const row = document.createElement('div');
      row.className = 'card';
      row.innerHTML = `<strong>${esc(s.puid)}</strong> <span class="muted">case ${esc(s.caseId)} · ${esc(s.takedownCategory)} · ${esc(s.category)} · built ${esc(s.createdAt)}</span>
        <p>${s.status === 'submitted' ? `submitted ${esc(s.submittedAt)}${s.duplicate ? ' (the database had it already)' : ''}${s.tdbUuid ? ` · ${esc(s.tdbUuid)}` : ''}` : `attempts ${s.attempts}${s.nextAttemptAt ? ` · next ${esc(s.nextAttemptAt)}` : ''}${s.lastError ? ` · <span class="error">${esc(s.lastError)}</span>` : ''}`}</p>
        ${s.problems.length ? `<ul>${s.problems.map((p) => `<li><code>${esc(p.field)}</code> ${esc(p.message)}</li>`).join('')}</ul>` : ''}
        <details><summary>Statement sent</summary><pre>${esc(JSON.stringify(s.statement, null, 2))}</pre></details>
        ${mayRequeue && (s.status === 'failed' || s.status === 'rejected') ? `<button type="button" class="primary" data-requeue="${esc(s.puid)}">Requeue</button>` : ''}
        ${mayRequeue && (s.status === 'invalid' || s.status === 'rejected') ? `<button type="button" data-rebuild="${esc(s.puid)}">Rebuild</button>` : ''}`;
      list.append(row);
    }
  };

  list.addEventListener('click', async (e) => {
    const rebuild = e.target?.dataset?.rebuild;
    if (rebuild) {
      e.target.disabled = true;
      try {
        const r = await api('POST', `/v1/statements/${encodeURIComponent(rebuild)}/rebuild`, {});
        main.querySelector('#s-msg').textContent =
          r.status === 'pending' ? `${rebuild} passes now and is pending.` : `${rebuild} is still ${r.status}: ${r.problems.map((p) => p.field).join(', ')}`;
        if (r.status !== status) e.target.closest('.card').remove();
        else e.target.disabled = false;
        await summary();
      } catch (err) {
        main.querySelector('#s-msg').textContent = `Rebuild of ${rebuild} failed: ${err.message}`;
        e.target.disabled = false;
      }
      return;
    }
    const puid = e.target?.dataset?.requeue;
    if (!puid) return;
    e.target.disabled = true;
    try {
      await api('POST', `/v1/statements/${encodeURIComponent(puid)}/requeue`, {});
      main.querySelector('#s-msg').textContent = `${puid} is pending again.`;
      e.target.closest('.card').remove();
      await summary();
    } catch (err) {
      main.querySelector('#s-msg').textContent = `Requeue of ${puid} failed: ${err.message}`;
      e.target.disabled = false;
    }
  });
  more.addEventListener('click', () => void page());
  setShortcuts([], null);
  await Promise.all([summary(), page()]);
  every(15000, () => void summary().catch(() => undefined));
}
