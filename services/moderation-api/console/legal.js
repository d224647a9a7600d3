import { api, ApiError, download, esc } from './api.js';
import { every, setShortcuts } from './app.js';
import { barChart, figure } from './charts.js';
import { renderDsaFigures } from './dsa-transparency.js';

const STATES = ['received', 'acknowledged', 'in_review', 'needs_info', 'approved', 'package_produced', 'delivered', 'rejected', 'withdrawn'];
const OPEN = ['received', 'acknowledged', 'in_review', 'needs_info', 'approved', 'package_produced'];
const PROCESS_KINDS = ['court_order', 'warrant', 'production_order', 'subpoena', 'emergency_letter'];
const TARGET_KINDS = ['account_id', 'username', 'phone_number', 'content_id'];
const TARGET_ROLES = ['suspect', 'victim', 'witness', 'other'];
const REJECTIONS = ['not_judicial', 'no_suspect', 'overbroad', 'jurisdiction_not_accepted', 'targets_unresolved', 'data_not_disclosable', 'invalid_process', 'duplicate', 'other'];
const WITHHOLD = ['not_resolved', 'not_named_as_suspect', 'outside_scope', 'no_data_held', 'other'];

const label = (s) => String(s ?? '').replace(/_/g, ' ');
const day = (iso) => (iso ? String(iso).slice(0, 10) : '–');

/** Time left until `iso`, as the desk shows deadlines: "5 h 12 min", or "overdue by …". */
function countdown(iso, now = Date.now()) {
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const text = h > 0 ? `${h} h ${m} min` : `${m} min`;
  return ms >= 0 ? text : `overdue by ${text}`;
}

function errorText(err) {
  const e = err instanceof ApiError ? err.body?.error : undefined;
  return `${err.message}${e?.field ? ` (${e.field})` : ''}`;
}

/** The legal desk's inbox: requests by state and due date; officers enter orders received by other channels. */
export async function renderLegalInbox({ main, me, isCurrent }) {
  const agency = me.role === 'agency';
  main.innerHTML = `
    <div class="grid">
      <section class="card">
        <div class="row"><h1 style="margin:0 auto 0 0">Legal requests</h1>
          <label for="lr-state" class="muted">State</label>
          <select id="lr-state"><option value="open">open</option><option value="">all</option>${STATES.map((s) => `<option value="${s}">${label(s)}</option>`).join('')}</select>
          <label><input type="checkbox" id="lr-overdue"> overdue only</label>
        </div>
        <table aria-label="Legal requests"><thead><tr><th>Request</th><th>Type</th><th>Agency</th><th>State</th><th>Due</th><th>Targets</th><th>Approvals</th><th></th></tr></thead><tbody id="lr-rows"></tbody></table>
        <p class="muted" id="lr-total"></p>
      </section>
      <aside>${renderIntakeForm(agency)}</aside>
    </div>`;
  const rows = main.querySelector('#lr-rows');
  const load = async () => {
    const state = main.querySelector('#lr-state').value;
    const q = new URLSearchParams({ sort: 'due', size: '100' });
    if (state) q.set('state', state === 'open' ? OPEN.join(',') : state);
    if (main.querySelector('#lr-overdue').checked) q.set('overdue', 'true');
    const r = await api('GET', `/v1/legal/requests?${q}`);
    if (!isCurrent()) return;
    main.querySelector('#lr-total').textContent = `${r.total} request(s)`;
    rows.innerHTML = r.requests
      .map(
        (x) => `<tr><td><a href="#/legal-request/${encodeURIComponent(x.id)}">${esc(x.id)}</a><br><span class="muted">${esc(x.legalProcess?.reference ?? '')}</span></td>
          <td>${esc(label(x.type))}${x.gagOrder ? ' <span class="pill">gag</span>' : ''}</td><td>${esc(x.agency?.name)} <span class="muted">${esc(x.agency?.country)}</span></td>
          <td><span class="pill">${esc(label(x.state))}</span>${x.blockingProblems ? ` <span class="pill source-report">${x.blockingProblems} problem(s)</span>` : ''}${x.overdue ? ' <span class="pill source-report">follow-up overdue</span>' : ''}</td>
          <td>${esc(day(x.dueAt))}${x.followUpDueAt && x.overdue ? `<br><span class="error">${esc(countdown(x.followUpDueAt))}</span>` : ''}</td><td>${x.targets}</td><td>${x.approvals}/2</td>
          <td><a href="#/legal-request/${encodeURIComponent(x.id)}">Open</a></td></tr>`,
      )
      .join('');
  };
  main.querySelector('#lr-state').addEventListener('change', load);
  main.querySelector('#lr-overdue').addEventListener('change', load);
  await wireIntakeForm(main, agency, isCurrent);
  if (!isCurrent()) return;
  setShortcuts([], null);
  every(15_000, () => load().catch(() => undefined));
  await load();
}

function renderIntakeForm(agency) {
  return `<form class="card" id="intake" aria-label="Enter a request">
    <h2>${agency ? 'File a request' : 'Enter a received order'}</h2>
    ${agency ? '' : '<label for="in-agency">Agency</label><select id="in-agency" required></select>'}
    <label for="in-type">Type</label><select id="in-type"><option>records</option><option>preservation</option><option>emergency</option></select>
    <label for="in-req-name">Requester name</label><input id="in-req-name" required style="width:100%">
    <label for="in-req-email">Requester email</label><input id="in-req-email" type="email" required style="width:100%">
    <label for="in-kind">Legal process</label><select id="in-kind">${PROCESS_KINDS.map((k) => `<option value="${k}">${label(k)}</option>`).join('')}</select>
    <label for="in-ref">Reference</label><input id="in-ref" required style="width:100%">
    <label for="in-issued-by">Issuing court or judge</label><input id="in-issued-by" required style="width:100%">
    <label for="in-issued-at">Issued on</label><input id="in-issued-at" type="date" required>
    <label for="in-doc">The order (PDF, ≤ 10 MB)</label><input id="in-doc" type="file" accept="application/pdf">
    <label for="in-basis">Legal basis</label><input id="in-basis" required style="width:100%">
    <label for="in-offence">Offence category</label><input id="in-offence" required style="width:100%">
    <label><input type="checkbox" id="in-suspect"> The order states the target is a suspect</label>
    <label for="in-targets">Targets, one per line: kind, value, role (kinds ${TARGET_KINDS.join(', ')}; roles ${TARGET_ROLES.join(', ')})</label>
    <textarea id="in-targets" rows="3" style="width:100%" placeholder="username, some_user, suspect"></textarea>
    <fieldset><legend>Data requested</legend><label><input type="checkbox" name="in-data" value="ip_addresses" checked> IP addresses</label><label><input type="checkbox" name="in-data" value="phone_number" checked> phone number</label></fieldset>
    <label for="in-from">Period from</label><input id="in-from" type="date" required> <label for="in-to">to</label><input id="in-to" type="date" required>
    <label for="in-gag">Non-disclosure order until (empty: none)</label><input id="in-gag" type="date">
    <label for="in-due">Due</label><input id="in-due" type="date" required>
    <label for="in-emergency">Emergency: the risk of death or serious injury, as the agency describes it</label><textarea id="in-emergency" rows="2" style="width:100%"></textarea>
    <p><button class="primary" type="submit">${agency ? 'File request' : 'Enter request'}</button></p>
    <p id="in-msg" class="error" role="alert"></p>
  </form>`;
}

async function wireIntakeForm(main, agency, isCurrent) {
  const form = main.querySelector('#intake');
  if (!agency) {
    const { agencies } = await api('GET', '/v1/legal/agencies');
    if (!isCurrent()) return;
    main.querySelector('#in-agency').innerHTML = agencies.map((a) => `<option value="${esc(a.id)}">${esc(a.name)} (${esc(a.country)})</option>`).join('');
  }
  const msg = main.querySelector('#in-msg');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    msg.textContent = '';
    const v = (id) => main.querySelector(id).value.trim();
    try {
      const targets = v('#in-targets')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .map((l) => {
          const [kind, value, role] = l.split(',').map((s) => s.trim());
          return { kind, value, role: role || 'suspect' };
        });
      const file = main.querySelector('#in-doc').files[0];
      const document = file ? { base64: await toBase64(file), filename: file.name } : undefined;
      const type = v('#in-type');
      const body = {
        type,
        ...(agency ? {} : { agencyId: v('#in-agency') }),
        requester: { name: v('#in-req-name'), email: v('#in-req-email') },
        legalProcess: { kind: v('#in-kind'), reference: v('#in-ref'), issuedBy: v('#in-issued-by'), issuedAt: v('#in-issued-at'), ...(document ? { document } : {}) },
        legalBasis: v('#in-basis'),
        offenceCategory: v('#in-offence'),
        statesSuspect: main.querySelector('#in-suspect').checked,
        targets,
        dataRequested: [...form.querySelectorAll('input[name=in-data]:checked')].map((i) => i.value),
        period: { from: `${v('#in-from')}T00:00:00.000Z`, to: `${v('#in-to')}T23:59:59.999Z` },
        nonDisclosureUntil: v('#in-gag') ? `${v('#in-gag')}T00:00:00.000Z` : null,
        dueAt: `${v('#in-due')}T23:59:59.999Z`,
        ...(type === 'emergency' ? { emergency: { description: v('#in-emergency') } } : {}),
      };
      const r = await api('POST', '/v1/legal/requests', body);
      location.hash = `#/legal-request/${encodeURIComponent(r.request.id)}`;
    } catch (err) {
      msg.textContent = errorText(err);
    }
  });
}

function toBase64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

/** One request: its order, problems, targets with per-target decisions, the two approvals, the emergency clock, the package. */
export async function renderLegalRequest({ main, me, arg, isCurrent }) {
  const id = decodeURIComponent(arg ?? '');
  const officer = me.role === 'legal';
  const draw = async () => {
    const r = (await api('GET', `/v1/legal/requests/${encodeURIComponent(id)}`)).request;
    if (!isCurrent()) return r;
    const can = new Set(r.availableEvents ?? []);
    const approvals = Array.isArray(r.approvals) ? r.approvals : [];
    const decidable = officer && ['acknowledged', 'in_review', 'needs_info'].includes(r.state);
    main.innerHTML = `
      <p><a href="#/legal">← Legal requests</a></p>
      <div class="grid">
        <section>
          <div class="card">
            <h1>${esc(r.id)} <span class="pill">${esc(label(r.state))}</span> <span class="pill">${esc(label(r.type))}</span>${r.nonDisclosureUntil ? ` <span class="pill">gag until ${esc(day(r.nonDisclosureUntil))}</span>` : ''}</h1>
            <p>${esc(r.agency.name)} (${esc(r.agency.country)}, ${esc(label(r.agency.function))}) · requested by ${esc(r.requester?.name)} · received ${esc(day(r.times?.receivedAt))}, acknowledged ${esc(r.times?.acknowledgedAt ?? '–')} · due ${esc(day(r.dueAt))}</p>
            <p>${esc(label(r.legalProcess.kind))} <strong>${esc(r.legalProcess.reference)}</strong>, ${esc(r.legalProcess.issuedBy)}, ${esc(r.legalProcess.issuedAt)}
              ${r.legalProcess.document ? ` · <button type="button" id="doc-btn">Order (PDF)</button> <span class="muted">sha256 ${esc(r.legalProcess.document.sha256.slice(0, 16))}…</span>` : ' · <span class="error">no document</span>'}</p>
            <p>Basis: ${esc(r.legalBasis)} · offence: ${esc(r.offenceCategory)} · ${r.statesSuspect ? 'the order states a suspect' : '<span class="error">the order states no suspect</span>'}</p>
            <p>Data: ${esc(r.dataRequested.map(label).join(', '))} · period ${esc(day(r.period.from))} → ${esc(day(r.period.to))}${r.effectivePeriod ? ` (data held: ${esc(day(r.effectivePeriod.from))} → ${esc(day(r.effectivePeriod.to))})` : ''}</p>
            ${r.emergency ? `<div class="card" aria-label="Emergency"><h2>Emergency</h2><p>${esc(r.emergency.description)}</p>${r.followUp ? `<p id="follow-up" class="${r.followUp.state === 'overdue' ? 'error' : ''}">Follow-up legal process: <strong>${esc(r.followUp.state)}</strong>${r.followUp.state !== 'received' ? ` · <span id="follow-up-clock" data-due="${esc(r.followUp.dueAt)}">${esc(countdown(r.followUp.dueAt))}</span>` : ''}</p>` : ''}</div>` : ''}
          </div>
          <div class="card"><h2>Problems</h2>${
            r.problems.length === 0
              ? '<p class="muted">None found by the policy check.</p>'
              : `<ul aria-label="Problems">${r.problems.map((p) => `<li><span class="pill ${p.outcome === 'note' ? '' : 'source-report'}">${esc(label(p.outcome))}</span> <code>${esc(p.field)}</code> ${esc(p.message)}</li>`).join('')}</ul>`
          }</div>
          <div class="card"><h2>Targets</h2>
            <table aria-label="Targets"><thead><tr><th>#</th><th>Kind</th><th>Value</th><th>Role</th><th>Account</th><th>Decision</th>${decidable ? '<th></th>' : ''}</tr></thead><tbody>
            ${r.targets
              .map(
                (t) => `<tr><td>${t.index}</td><td>${esc(label(t.kind))}</td><td>${esc(t.value)}</td><td>${esc(t.role)}</td>
                  <td>${t.resolution ? (t.resolution.resolved ? t.resolution.accounts.map((a) => `${esc(a.accountId)} <span class="muted">${esc(a.phoneCountry ?? '')}</span>`).join('<br>') : `<span class="error">${esc(label(t.resolution.status))}</span>`) : '–'}</td>
                  <td>${t.decision ? (t.decision.produce ? 'produce' : `withhold: ${esc(label(t.decision.reason))}`) : '<span class="muted">undecided</span>'}</td>
                  ${decidable ? `<td><button type="button" data-produce="${t.index}">Produce</button> <select data-reason="${t.index}" aria-label="Why withhold target ${t.index}">${WITHHOLD.map((w) => `<option value="${w}">${label(w)}</option>`).join('')}</select> <button type="button" data-withhold="${t.index}">Withhold</button></td>` : ''}</tr>`,
              )
              .join('')}
            </tbody></table>
          </div>
          ${officer ? `<div class="card"><h2>History</h2><table aria-label="History"><tbody>${r.history.map((h) => `<tr><td>${esc(h.at)}</td><td>${esc(label(h.event))}</td><td>${esc(h.by ?? '')}</td><td>${esc(h.to ? `→ ${label(h.to)}` : '')}</td><td>${esc(h.note ?? '')}</td></tr>`).join('')}</tbody></table></div>` : ''}
        </section>
        <aside>
          <div class="card" aria-label="Decision"><h2>Approval</h2>
            <p>${approvals.length || (typeof r.approvals === 'number' ? r.approvals : 0)} of 2 approvals${officer ? `: ${approvals.map((a) => esc(a.by)).join(', ') || 'none yet'}` : ''}</p>
            ${officer ? `<p class="muted">Entered by ${esc(r.enteredBy)}; two other officers approve.</p>` : ''}
            <label for="ev-note">Note</label><input id="ev-note" style="width:100%">
            <p>
              ${can.has('start_review') ? '<button type="button" data-event="start-review">Start review</button>' : ''}
              ${can.has('approve') ? '<button type="button" class="primary" data-event="approve">Approve</button>' : ''}
              ${can.has('emergency_disclose') ? '<button type="button" class="danger" data-event="emergency-disclose">Disclose now (emergency)</button>' : ''}
              ${can.has('request_info') ? '<button type="button" data-event="request-info">Ask for information</button>' : ''}
              ${can.has('info_received') ? '<button type="button" data-event="info-received">Information received</button>' : ''}
              ${can.has('withdraw') ? '<button type="button" data-event="withdraw">Withdraw</button>' : ''}
            </p>
            ${can.has('reject') ? `<p><select id="ev-reason" aria-label="Rejection reason">${REJECTIONS.map((x) => `<option value="${x}">${label(x)}</option>`).join('')}</select> <button type="button" class="danger" data-event="reject">Reject</button></p>` : ''}
            ${officer && r.emergency?.disclosedAt && !r.emergency?.overAt ? '<p><button type="button" data-event="emergency-over">Emergency over</button></p>' : ''}
            <p id="ev-msg" class="error" role="alert"></p>
          </div>
          <div class="card" aria-label="Package"><h2>Package</h2>${
            r.package
              ? `<p>Built ${esc(r.package.builtAt)}; kept until ${esc(day(r.package.expiresAt))}.${r.package.counts ? ` ${r.package.counts.accounts} account(s), ${r.package.counts.ipAddresses} IP address record(s), ${r.package.counts.phoneNumbers} phone number(s).` : ''}</p>
                 ${r.package.deletedAt ? '<p class="muted">Deleted after the retention period.</p>' : '<p><button type="button" class="primary" id="pkg-btn">Download package</button></p>'}
                 <p class="muted">Manifest sha256 <code>${esc(r.package.manifestSha256 ?? '')}</code>. Agencies check it with <code>npx takedown legal verify FILE</code>.</p>`
              : r.state === 'approved' && r.type !== 'preservation'
                ? '<p id="pkg-wait">Being built…</p>'
                : r.preservation
                  ? `<p>Preserved ${r.preservation.signIns} sign-in(s) of ${r.preservation.accounts} account(s) until ${esc(day(r.preservation.expiresAt))}.</p>`
                  : '<p class="muted">Built once the request is approved.</p>'
          }</div>
          ${officer && r.notices?.length ? `<div class="card"><h2>User notices</h2><ul>${r.notices.map((n) => `<li>target ${n.targetIndex}: ${esc(n.state)}${n.heldBy?.length ? ` (held: ${esc(n.heldBy.join(', '))})` : ''}</li>`).join('')}</ul></div>` : ''}
        </aside>
      </div>`;

    const msg = main.querySelector('#ev-msg');
    const act = async (path, body) => {
      msg.textContent = '';
      try {
        await api('POST', `/v1/legal/requests/${encodeURIComponent(id)}/${path}`, body);
        await draw();
      } catch (err) {
        msg.textContent = errorText(err);
      }
    };
    for (const b of main.querySelectorAll('button[data-event]')) {
      b.addEventListener('click', () => {
        const note = main.querySelector('#ev-note').value.trim();
        const event = b.dataset.event;
        const body = event === 'reject' ? { reason: main.querySelector('#ev-reason').value, ...(note ? { note } : {}) } : note ? { note } : {};
        void act(event, body);
      });
    }
    for (const b of main.querySelectorAll('button[data-produce]')) b.addEventListener('click', () => void act(`targets/${b.dataset.produce}/decision`, { produce: true }));
    for (const b of main.querySelectorAll('button[data-withhold]')) {
      b.addEventListener('click', () => void act(`targets/${b.dataset.withhold}/decision`, { produce: false, reason: main.querySelector(`select[data-reason="${b.dataset.withhold}"]`).value }));
    }
    main.querySelector('#pkg-btn')?.addEventListener('click', () => void download(`/v1/legal/requests/${encodeURIComponent(id)}/package`, `${id}.takedown-package.json`, msg));
    main.querySelector('#doc-btn')?.addEventListener('click', () => void download(`/v1/legal/requests/${encodeURIComponent(id)}/documents/${encodeURIComponent(r.legalProcess.document.id)}`, `${id}-order.pdf`, msg));
    return r;
  };
  let r = await draw();
  setShortcuts([], null);
  every(1000, () => {
    const clock = main.querySelector('#follow-up-clock');
    if (clock) clock.textContent = countdown(clock.dataset.due);
  });
  // While the package is being built, look again every two seconds.
  every(2000, async () => {
    if (r.state === 'approved' && !r.package && main.querySelector('#pkg-wait')) r = await draw().catch(() => r);
  });
}

/** The public transparency report by quarter: a table per country, a chart, the CSV. */
export async function renderTransparency({ main, isCurrent }) {
  const now = new Date();
  const quarters = [];
  for (let i = 0; i < 8; i++) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 3 * i, 1));
    const q = `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
    if (!quarters.includes(q)) quarters.push(q);
  }
  main.innerHTML = `<div class="card"><div class="row"><h1 style="margin:0 auto 0 0">Transparency: law-enforcement requests</h1>
      <label for="tr-period" class="muted">Quarter</label><select id="tr-period">${quarters.map((q) => `<option>${q}</option>`).join('')}</select>
      <a id="tr-csv" href="#">CSV</a></div>
      <div id="tr-chart"></div>
      <table aria-label="Transparency report"><thead><tr><th>Country</th><th>Requests received</th><th>Fulfilled</th><th>Users affected</th><th>Rejected</th><th>Emergency</th><th>With a gag order</th><th>Median hours to acknowledge</th><th>Median hours to fulfil</th></tr></thead><tbody id="tr-rows"></tbody></table>
      <p class="muted" id="tr-method"></p></div>
      <div id="dsa-figures"></div>`;
  const load = async () => {
    const period = main.querySelector('#tr-period').value;
    main.querySelector('#tr-csv').href = `/v1/transparency/legal?period=${encodeURIComponent(period)}&format=csv`;
    const res = await fetch(`/v1/transparency/legal?period=${encodeURIComponent(period)}`);
    const report = await res.json();
    if (!isCurrent()) return;
    // Small counts are published as "<5": not charted (a bar would claim a number the report withholds).
    const n = (c) => (typeof c === 'number' ? c : null);
    const chart = main.querySelector('#tr-chart');
    if (report.rows.length === 0) chart.innerHTML = '<p class="muted">No requests this quarter.</p>';
    else {
      chart.innerHTML = figure('tr-canvas', `Requests per country, ${period}`);
      barChart(chart.querySelector('canvas'), {
        labels: report.rows.map((r) => r.country),
        datasets: [
          { label: 'received', values: report.rows.map((r) => n(r.requestsReceived)) },
          { label: 'fulfilled', values: report.rows.map((r) => n(r.requestsFulfilled)) },
        ],
        xUnit: 'country',
        yUnit: 'requests',
      });
      if (report.rows.some((r) => n(r.requestsReceived) === null || n(r.requestsFulfilled) === null)) chart.insertAdjacentHTML('beforeend', '<p class="muted">Counts published as "&lt;5" are not charted.</p>');
    }
    main.querySelector('#tr-rows').innerHTML = report.rows
      .map((r) => `<tr><td>${esc(r.country)}</td><td>${esc(r.requestsReceived)}</td><td>${esc(r.requestsFulfilled)}</td><td>${esc(r.usersAffected)}</td><td>${esc(r.rejected)}</td><td>${esc(r.emergency)}</td><td>${esc(r.withGagOrder)}</td><td>${esc(r.medianHoursToAcknowledge ?? '–')}</td><td>${esc(r.medianHoursToFulfil ?? '–')}</td></tr>`)
      .join('');
    main.querySelector('#tr-method').textContent = report.method;
  };
  main.querySelector('#tr-period').addEventListener('change', load);
  setShortcuts([], null);
  // The DSA Art. 15 figures beside the legal report (same roles: legal, lead, admin).
  await Promise.all([load(), renderDsaFigures(main.querySelector('#dsa-figures'), isCurrent)]);
}
