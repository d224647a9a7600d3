import { api, esc } from './api.js';
import { setShortcuts } from './app.js';

/** A new feature's starting point in the editor. */
const TEMPLATE = {
  description: 'What the feature does',
  default: 'on',
  failMode: 'closed',
  rules: [{ id: 'de-off', countries: ['DE'], state: 'off', reason: 'Why', legalBasis: { text: 'The order or decision', reference: 'Its reference' } }],
};

/** One country's cells as one line: `off` or `off (ios, android) · on (web)`, with the deciding rule. */
function cellSummary(cells) {
  if (cells.length === 1 && cells[0].platforms.length === 5) return `${cells[0].state} · ${cells[0].decidedBy}`;
  return cells.map((c) => `${c.state} (${c.platforms.join(', ')}) · ${c.decidedBy}`).join('; ');
}

/**
 * Per feature: the state most countries have ("elsewhere") and the
 * countries that differ from it, from the live grid (GET /v1/features/states).
 */
function statesTable(features) {
  return features.map((f) => {
    const byCountry = new Map();
    for (const c of f.cells) byCountry.set(c.country, [...(byCountry.get(c.country) ?? []), c]);
    const counts = new Map();
    for (const cells of byCountry.values()) {
      const s = cellSummary(cells);
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    const elsewhere = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
    const exceptions = [...byCountry.entries()].map(([country, cells]) => [country, cellSummary(cells)]).filter(([, s]) => s !== elsewhere);
    return { key: f.key, elsewhere, exceptions, conditionalRules: f.conditionalRules };
  });
}

const stateClass = (s) => (s.startsWith('off') ? 'error' : '');

/** Switches: the live state per country, the draft editor, preview, publish with note and diff, history and rollback (leads, legal, admins). */
export async function renderSwitches({ main, isCurrent }) {
  main.innerHTML = `
    <div class="grid">
      <section>
        <div class="card">
          <h1>Feature switches <span class="muted" id="sw-version"></span></h1>
          <table aria-label="Switch states"><thead><tr><th>Feature</th><th>Elsewhere</th><th>Countries that differ</th><th></th></tr></thead><tbody id="sw-states"></tbody></table>
        </div>
        <div class="card">
          <h2>Draft</h2>
          <p class="muted" id="sw-draft-meta"></p>
          <table aria-label="Draft features"><thead><tr><th>Feature</th><th>Default</th><th>Fail mode</th><th>Rules</th><th></th></tr></thead><tbody id="sw-draft"></tbody></table>
        </div>
        <div class="card">
          <div class="row"><h2 style="margin:0 auto 0 0">Preview: which countries change</h2><button type="button" id="sw-preview-btn">Preview <kbd>p</kbd></button></div>
          <div id="sw-preview" aria-live="polite"></div>
        </div>
        <div class="card">
          <h2>History</h2>
          <table aria-label="Versions"><thead><tr><th>Version</th><th>Published</th><th>By</th><th>Note</th><th>Diff</th><th></th></tr></thead><tbody id="sw-history"></tbody></table>
          <p id="sw-history-msg" class="error" role="alert"></p>
        </div>
      </section>
      <aside>
        <form class="card" id="sw-form" aria-label="Edit a feature">
          <h2 id="sw-form-title">Add or edit a feature</h2>
          <label for="sw-key">Key (a-z, 0-9, _)</label><input id="sw-key" required pattern="[a-z][a-z0-9_]{0,62}" style="width:100%">
          <label for="sw-body">Feature (JSON: description, default, failMode, rules, enforcement)</label>
          <textarea id="sw-body" rows="18" style="width:100%;font-family:ui-monospace,monospace"></textarea>
          <p><button class="primary" type="submit">Save to draft</button> <button type="button" id="sw-new">New</button> <button type="button" class="danger" id="sw-remove">Remove from draft</button></p>
          <p id="sw-form-msg" class="error" role="alert"></p>
        </form>
        <form class="card" id="sw-publish" aria-label="Publish">
          <h2>Publish the draft</h2>
          <label for="sw-note">Note (who asked, why)</label><textarea id="sw-note" rows="3" style="width:100%" required maxlength="2000"></textarea>
          <p><button class="primary" type="submit">Publish</button></p>
          <p id="sw-publish-msg" role="status"></p>
        </form>
      </aside>
    </div>`;

  const $ = (sel) => main.querySelector(sel);
  const showError = (el, err) => {
    const field = err.body?.error?.field;
    el.className = 'error';
    el.textContent = `${err.message}${field ? ` (${field})` : ''}`;
  };
  let draft = [];

  const loadStates = async () => {
    const { version, features } = await api('GET', '/v1/features/states');
    if (!isCurrent()) return;
    $('#sw-version').textContent = version === null ? '(nothing published)' : `(live version ${version})`;
    $('#sw-states').innerHTML = statesTable(features)
      .map(
        (f) => `<tr data-feature="${esc(f.key)}"><td><strong>${esc(f.key)}</strong>${f.conditionalRules.length ? `<br><span class="muted">rules on age or standing: ${esc(f.conditionalRules.join(', '))}</span>` : ''}</td>
          <td class="${stateClass(f.elsewhere)}">${esc(f.elsewhere)}</td>
          <td>${f.exceptions.length === 0 ? '<span class="muted">none</span>' : f.exceptions.map(([c, s]) => `<span class="pill ${stateClass(s)}" title="${esc(s)}">${esc(c)}: ${esc(s)}</span>`).join(' ')}</td>
          <td><button type="button" data-edit="${esc(f.key)}">Edit</button></td></tr>`,
      )
      .join('');
  };
  const loadDraft = async () => {
    const d = await api('GET', '/v1/features/draft');
    if (!isCurrent()) return;
    draft = d.features;
    $('#sw-draft-meta').textContent = d.updatedBy ? `last edited by ${d.updatedBy}${d.updatedAt ? ` at ${d.updatedAt}` : ''}${d.baseVersion ? `, based on version ${d.baseVersion}` : ''}` : '';
    $('#sw-draft').innerHTML = draft
      .map(
        (f) => `<tr><td>${esc(f.key)}${f.enforcement?.search ? `<br><span class="muted">gates geo search on ${esc(f.enforcement.search.geoFields.join(', '))}</span>` : ''}</td><td>${esc(f.default)}</td><td>${esc(f.failMode)}</td>
          <td>${f.rules.map((r) => `<span class="pill ${r.state === 'off' ? 'error' : ''}" title="${esc(r.reason)} — ${esc(r.legalBasis.reference)}">${esc(r.id)}: ${esc(r.state)}${r.countries ? ` in ${esc(r.countries.join(', '))}` : ''}${r.platforms ? ` on ${esc(r.platforms.join(', '))}` : ''}</span>`).join(' ')}</td>
          <td><button type="button" data-edit="${esc(f.key)}">Edit</button></td></tr>`,
      )
      .join('');
  };
  const loadHistory = async () => {
    const { current, versions } = await api('GET', '/v1/features/versions');
    if (!isCurrent()) return;
    $('#sw-history').innerHTML = versions
      .map(
        (v) => `<tr><td>${esc(v.version)}${v.version === current ? ' <span class="pill">live</span>' : ''}${v.rollbackOf ? `<br><span class="muted">rollback of ${esc(v.rollbackOf)}</span>` : ''}</td><td>${esc(v.publishedAt)}</td><td>${esc(v.publishedBy)}</td><td>${esc(v.note ?? '')}</td>
          <td>${diffText(v.diff)}</td><td>${v.version === current ? '' : `<button type="button" data-rollback="${esc(v.version)}">Roll back to this</button>`}</td></tr>`,
      )
      .join('');
  };
  const diffText = (d) => {
    if (!d) return '';
    const parts = [...d.added.map((a) => `+ ${a.id ?? a}`), ...d.removed.map((r) => `− ${r.id ?? r}`), ...d.changed.map((c) => `~ ${c.id} (${(c.fields ?? []).join(', ')})`)];
    return parts.length ? esc(parts.join('; ')) : '<span class="muted">no change</span>';
  };
  const loadAll = () => Promise.all([loadStates(), loadDraft(), loadHistory()]);

  const edit = (key) => {
    const f = draft.find((x) => x.key === key);
    $('#sw-key').value = key;
    const { key: _k, updatedBy: _b, updatedAt: _a, ...body } = f ?? TEMPLATE;
    $('#sw-body').value = JSON.stringify(body, null, 2);
    $('#sw-form-title').textContent = f ? `Edit ${key}` : 'Add a feature';
    $('#sw-form-msg').textContent = '';
    $('#sw-body').focus();
  };
  main.addEventListener('click', async (e) => {
    const t = e.target.closest('button');
    if (!t) return;
    if (t.dataset.edit) edit(t.dataset.edit);
    if (t.dataset.rollback) {
      const note = prompt(`Roll back to version ${t.dataset.rollback}: note (who asked, why)`);
      if (!note) return;
      try {
        await api('POST', '/v1/features/rollback', { version: Number(t.dataset.rollback), note });
        $('#sw-history-msg').textContent = '';
        await loadAll();
      } catch (err) {
        showError($('#sw-history-msg'), err);
      }
    }
  });
  $('#sw-new').addEventListener('click', () => {
    $('#sw-key').value = '';
    $('#sw-body').value = JSON.stringify(TEMPLATE, null, 2);
    $('#sw-form-title').textContent = 'Add a feature';
    $('#sw-key').focus();
  });
  $('#sw-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const msg = $('#sw-form-msg');
    let body;
    try {
      body = JSON.parse($('#sw-body').value);
    } catch {
      msg.className = 'error';
      msg.textContent = 'The feature is not valid JSON.';
      return;
    }
    try {
      await api('PUT', `/v1/features/draft/${encodeURIComponent($('#sw-key').value.trim())}`, body);
      msg.className = 'muted';
      msg.textContent = 'Saved to the draft. Preview, then publish.';
      await loadDraft();
    } catch (err) {
      showError(msg, err);
    }
  });
  $('#sw-remove').addEventListener('click', async () => {
    const msg = $('#sw-form-msg');
    try {
      await api('DELETE', `/v1/features/draft/${encodeURIComponent($('#sw-key').value.trim())}`);
      msg.className = 'muted';
      msg.textContent = 'Removed from the draft.';
      await loadDraft();
    } catch (err) {
      showError(msg, err);
    }
  });
  const preview = async () => {
    const p = await api('GET', '/v1/features/preview');
    if (!isCurrent()) return;
    const changed = p.features.filter((f) => f.status !== 'unchanged' || f.conflicts.length > 0);
    $('#sw-preview').innerHTML = `<p>Against published version ${esc(p.publishedVersion ?? 'none')}: ${diffText(p.diff)}</p>${
      changed.length === 0
        ? '<p class="muted">The draft changes nothing.</p>'
        : changed
            .map(
              (f) => `<h3>${esc(f.key)} <span class="pill">${esc(f.status)}</span></h3>
        <p>Countries that change: ${f.countriesChanged.length ? esc(f.countriesChanged.join(', ')) : '<span class="muted">none</span>'}</p>
        ${f.conflicts.length ? `<p>Conflicts (most specific wins, then off wins): ${f.conflicts.map((c) => `${esc(c.rules.join(' vs '))} → ${esc(c.winner)}`).join('; ')}</p>` : ''}
        ${f.changes.length ? `<table aria-label="Preview"><thead><tr><th>Country</th><th>Platforms</th><th>From</th><th>To</th><th>Decided by</th></tr></thead><tbody>${f.changes
          .slice(0, 300)
          .map((c) => `<tr><td>${esc(c.country)}</td><td>${esc(c.platforms.join(', '))}</td><td>${esc(c.from)}</td><td class="${stateClass(c.to)}">${esc(c.to)}</td><td>${esc(c.decidedBy)}</td></tr>`)
          .join('')}</tbody></table>${f.changes.length > 300 ? `<p class="muted">and ${f.changes.length - 300} more cells</p>` : ''}` : ''}`,
            )
            .join('')
    }`;
  };
  $('#sw-preview-btn').addEventListener('click', () => preview().catch((err) => showError($('#sw-preview'), err)));
  $('#sw-publish').addEventListener('submit', async (e) => {
    e.preventDefault();
    const msg = $('#sw-publish-msg');
    try {
      const r = await api('POST', '/v1/features/publish', { note: $('#sw-note').value.trim() });
      const changed = Object.entries(r.countriesChanged).map(([k, cs]) => `${k}: ${cs.join(', ')}`);
      msg.className = '';
      msg.innerHTML = `Published version ${esc(r.version)}. ${diffText(r.diff)}${changed.length ? `<br>Countries changed: ${esc(changed.join('; '))}` : ''}`;
      $('#sw-note').value = '';
      await loadAll();
    } catch (err) {
      showError(msg, err);
    }
  });

  setShortcuts([['p', 'preview'], ['n', 'new feature']], (e, typing) => {
    if (typing) return;
    if (e.key === 'p') preview().catch((err) => showError($('#sw-preview'), err));
    if (e.key === 'n') $('#sw-new').click();
  });
  await loadAll();
}
