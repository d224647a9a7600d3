import { api, esc } from './api.js';
import { every, setShortcuts } from './app.js';

const CATEGORIES = ['drugs', 'csam', 'weapons', 'fraud', 'terrorism', 'other'];
const ACTIONS = ['block_query', 'exclude', 'demote', 'flag_for_review', 'auto_remove'];
const KINDS = ['term', 'phrase', 'regex', 'sha256', 'pdq'];
const STATES = ['live', 'shadow', 'disabled'];
const PAGE_SIZE = 50;
/** The filter selects: query parameter, accessible name, label of "any", the values (hash lists come from the counts). */
const FILTERS = [
  ['category', 'Filter by category', 'all categories', CATEGORIES],
  ['action', 'Filter by action', 'all actions', ACTIONS],
  ['kind', 'Filter by kind', 'all kinds', KINDS],
  ['state', 'Filter by state', 'live, shadow and disabled', STATES],
  ['list', 'Filter by hash list', 'all hash lists', []],
];

/** A content sample: its text, or (without the csam grant, for a removed post) only its id and the API's notice. */
function contentSample(s) {
  if (s.redacted) return `doc ${esc(s.id)}: <em class="redacted" data-redacted="${esc(s.id)}">${esc(s.notice)}</em>`;
  return `doc ${esc(s.id)}: ${esc(s.text)}`;
}

function querySample(q) {
  return `search: ${esc(q)}`;
}

/** The lead's rule editor: list, search, add/edit/disable, shadow, preview, publish with diff, rollback, backfill. */
export async function renderRules({ main, me }) {
  const canEdit = me.role === 'lead';
  main.innerHTML = `
    <div class="grid">
      <section>
        <div class="card">
          <div class="row"><h1 style="margin:0 auto 0 0">Draft rules</h1>
            <label for="rule-search" class="muted">Search <kbd>/</kbd></label><input id="rule-search" type="search" placeholder="id, pattern or note" maxlength="200">
          </div>
          <div class="row" id="rule-filters" role="group" aria-label="Filter rules">
            ${FILTERS.map(([name, label, any]) => `<select data-filter="${name}" aria-label="${label}"><option value="">${any}</option></select>`).join('')}
          </div>
          <p class="muted" id="draft-meta"></p>
          <table aria-label="Draft rules"><thead><tr><th>Id</th><th>Pattern</th><th>Category</th><th>Scope</th><th>Action</th><th>State</th><th></th></tr></thead><tbody id="rule-rows"></tbody></table>
          <nav class="row" aria-label="Rule pages">
            <button type="button" id="rules-prev">Previous <kbd>[</kbd></button>
            <span id="rules-range" role="status" aria-live="polite"></span>
            <button type="button" id="rules-next">Next <kbd>]</kbd></button>
          </nav>
        </div>
        <div class="card"><h2>Preview</h2><div id="preview"><p class="muted">Preview the draft against real content and recent searches before publishing.</p></div></div>
      </section>
      <aside>
        ${canEdit ? `<form class="card" id="rule-form" aria-label="Add or edit a rule">
          <h2>Add or edit a rule</h2>
          <label for="r-id">Id</label><input id="r-id" required pattern="[A-Za-z0-9._:-]{1,120}" style="width:100%">
          <label for="r-kind">Kind</label><select id="r-kind"><option>term</option><option>phrase</option><option>regex</option><option>sha256</option></select>
          <label for="r-pattern">Pattern</label><input id="r-pattern" required style="width:100%">
          <label for="r-category">Category</label><select id="r-category">${CATEGORIES.map((c) => `<option>${c}</option>`).join('')}</select>
          <label for="r-scope">Scope</label><select id="r-scope"><option value="query">query</option><option value="content">content</option><option value="query,content">query and content</option></select>
          <label for="r-action">Action</label><select id="r-action">${ACTIONS.map((a) => `<option>${a}</option>`).join('')}</select>
          <label for="r-until">While the case waits (flag_for_review)</label><select id="r-until"><option value="demote">demote the post</option><option value="exclude">hide the post from search</option></select>
          <label><input type="checkbox" id="r-shadow"> Shadow (count only, never act)</label>
          <p><button class="primary" type="submit">Save to draft</button></p>
          <p id="rule-msg" class="error" role="alert"></p>
        </form>` : ''}
        <div class="card"><h2>Publish</h2>
          ${canEdit ? `<label for="pub-note">Note</label><input id="pub-note" style="width:100%"><p><button id="preview-btn" type="button">Preview <kbd>p</kbd></button> <button id="publish-btn" class="primary" type="button">Publish</button></p>` : ''}
          <p id="publish-msg" role="status"></p>
        </div>
        <div class="card"><h2>Versions</h2><div id="versions"></div></div>
        <div class="card"><h2>Backfill</h2><div id="backfill" aria-live="polite"></div></div>
      </aside>
    </div>`;

  // One page of the draft at a time, searched and filtered by the API (GET /v1/rules/draft-page): a draft of 50,000 rules stays one request of 50.
  let rules = [];
  // cursors[i] is the `after` of page i; page 0 starts at the beginning.
  let cursors = [undefined];
  let next = null;
  let loaded = 0;
  const rows = main.querySelector('#rule-rows');
  const selects = [...main.querySelectorAll('[data-filter]')];
  const queryOf = (extra = {}) => {
    const q = new URLSearchParams({ size: String(PAGE_SIZE) });
    const text = main.querySelector('#rule-search').value.trim();
    if (text) q.set('q', text);
    for (const sel of selects) if (sel.value) q.set(sel.dataset.filter, sel.value);
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) q.set(k, v);
    return q;
  };
  const draw = (d) => {
    rows.innerHTML = d.rules.length
      ? d.rules
          .map(
            (r) => `<tr><td>${esc(r.id)}</td><td>${esc(r.pattern)}</td><td>${esc(r.category)}</td><td>${esc(r.scope.join(', '))}</td><td>${esc(r.action)}</td>
        <td>${r.enabled === false ? '<span class="pill">disabled</span>' : ''}${r.shadow ? '<span class="pill">shadow</span>' : ''}${r.untilReviewed === 'exclude' ? '<span class="pill">hidden until reviewed</span>' : ''}${r.hashList ? `<span class="pill">${esc(r.hashList.name)}</span>` : ''}</td>
        <td>${canEdit ? `<button type="button" data-edit="${esc(r.id)}">Edit</button> <button type="button" data-toggle="${esc(r.id)}">${r.enabled === false ? 'Enable' : 'Disable'}</button> <button type="button" data-shadow="${esc(r.id)}">${r.shadow ? 'Unshadow' : 'Shadow'}</button>` : ''}</td></tr>`,
          )
          .join('')
      : '<tr><td colspan="7" class="muted">No rule matches.</td></tr>';
    // Counts per value say what choosing it would show, with the other filters and the search kept.
    for (const sel of selects) {
      const name = sel.dataset.filter;
      const counts = d.facets[name] ?? {};
      const [, , any, fixed] = FILTERS.find(([n]) => n === name);
      const values = [...new Set([...fixed, ...Object.keys(counts), ...(sel.value ? [sel.value] : [])])];
      const chosen = sel.value;
      sel.innerHTML = `<option value="">${esc(any)}</option>` + values.map((v) => `<option value="${esc(v)}"${v === chosen ? ' selected' : ''}>${esc(v)} (${(counts[v] ?? 0).toLocaleString('en')})</option>`).join('');
      sel.hidden = name === 'list' && values.length === 0;
    }
    const n = (x) => x.toLocaleString('en');
    main.querySelector('#rules-range').textContent = d.rules.length ? `${n(d.from + 1)}–${n(d.from + d.rules.length)} of ${n(d.total)}` : `0 of ${n(d.total)}`;
    main.querySelector('#rules-prev').disabled = cursors.length <= 1;
    main.querySelector('#rules-next').disabled = d.next === null;
    main.querySelector('#draft-meta').textContent = `${d.count.toLocaleString('en')} rules in the draft · based on v${d.baseVersion ?? '–'} · last edit by ${d.updatedBy || '–'}`;
  };
  // Answers can arrive out of order while someone types: only the latest request draws.
  const load = async () => {
    const mine = ++loaded;
    const d = await api('GET', `/v1/rules/draft-page?${queryOf({ after: cursors[cursors.length - 1] })}`);
    if (mine !== loaded) return;
    // The page emptied under us (its rules edited out of the filter or deleted): step back.
    if (d.rules.length === 0 && cursors.length > 1) {
      cursors.pop();
      return load();
    }
    rules = d.rules;
    next = d.next;
    draw(d);
  };
  const restart = () => {
    cursors = [undefined];
    return load();
  };
  const turn = async (forward) => {
    if (forward && next !== null) cursors.push(next);
    else if (!forward && cursors.length > 1) cursors.pop();
    else return;
    await load();
    rows.closest('.card').scrollIntoView({ block: 'start' });
  };
  /** The stored rule: from this page, else asked for by id (the form may name a rule on another page). */
  const stored = async (id) => rules.find((r) => r.id === id) ?? (await api('GET', `/v1/rules/draft-page?${new URLSearchParams({ id, size: '1' })}`)).rules[0];
  const save = async (rule) => {
    const { id, createdBy: _b, createdAt: _a, ...body } = rule;
    await api('PUT', `/v1/rules/draft/${encodeURIComponent(id)}`, body);
    await load();
  };
  let typingTimer;
  main.querySelector('#rule-search').addEventListener('input', () => {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => void restart(), 250);
  });
  for (const sel of selects) sel.addEventListener('change', () => void restart());
  main.querySelector('#rules-prev').addEventListener('click', () => void turn(false));
  main.querySelector('#rules-next').addEventListener('click', () => void turn(true));
  rows.addEventListener('click', async (e) => {
    const t = e.target;
    const find = (id) => rules.find((r) => r.id === id);
    if (t.dataset.toggle) await save({ ...find(t.dataset.toggle), enabled: find(t.dataset.toggle).enabled === false });
    if (t.dataset.shadow) await save({ ...find(t.dataset.shadow), shadow: !find(t.dataset.shadow).shadow });
    if (t.dataset.edit) {
      const r = find(t.dataset.edit);
      main.querySelector('#r-id').value = r.id;
      main.querySelector('#r-kind').value = r.kind;
      main.querySelector('#r-pattern').value = r.pattern;
      main.querySelector('#r-category').value = r.category;
      main.querySelector('#r-scope').value = r.scope.join(',');
      main.querySelector('#r-action').value = r.action;
      main.querySelector('#r-until').value = r.untilReviewed ?? 'demote';
      main.querySelector('#r-shadow').checked = r.shadow === true;
      main.querySelector('#r-pattern').focus();
    }
  });
  const form = main.querySelector('#rule-form');
  form?.addEventListener('submit', async (e) => {
    e.preventDefault();
    const msg = main.querySelector('#rule-msg');
    msg.textContent = '';
    try {
      const id = main.querySelector('#r-id').value.trim();
      const { untilReviewed: _was, ...existing } = (await stored(id)) ?? {};
      const action = main.querySelector('#r-action').value;
      // Only flag_for_review holds a post until reviewed; demoting is its default.
      const until = action === 'flag_for_review' && main.querySelector('#r-until').value === 'exclude' ? { untilReviewed: 'exclude' } : {};
      await save({
        ...existing,
        id,
        kind: main.querySelector('#r-kind').value,
        pattern: main.querySelector('#r-pattern').value,
        category: main.querySelector('#r-category').value,
        scope: main.querySelector('#r-scope').value.split(','),
        action,
        ...until,
        shadow: main.querySelector('#r-shadow').checked,
      });
      msg.textContent = '';
      main.querySelector('#publish-msg').textContent = `Saved ${id} to the draft.`;
    } catch (err) {
      msg.textContent = err.body?.error?.field ? `${err.message} (${err.body.error.field})` : err.message;
    }
  });

  const preview = async () => {
    const p = await api('GET', '/v1/rules/preview');
    // Without the csam grant, restricted posts and searches are in no count and no sample: the API says so once.
    main.querySelector('#preview').innerHTML = `<p>Against v${p.publishedVersion ?? '–'}: +${p.diff.added.length} added, ~${p.diff.changed.length} changed, −${p.diff.removed.length} removed · ${p.queriesExamined} logged searches replayed</p>
      ${p.restricted ? `<p><em class="redacted" data-restricted>${esc(p.restricted.notice)}</em></p>` : ''}
      <table aria-label="Preview"><thead><tr><th>Rule</th><th>Change</th><th>Content matches</th><th>Searches matched</th><th>Samples</th></tr></thead><tbody>
      ${p.rules.map((r) => `<tr><td>${esc(r.ruleId)}${r.shadow ? ' <span class="pill">shadow</span>' : ''}</td><td>${esc(r.change)}</td><td data-content-count="${esc(r.ruleId)}">${r.contentMatches ?? '–'}</td><td data-query-count="${esc(r.ruleId)}">${r.queryMatches ?? '–'}</td>
        <td>${r.notice ? `<em class="redacted" data-rule-notice="${esc(r.ruleId)}">${esc(r.notice)}</em>` : [...r.contentSamples.map(contentSample), ...r.querySamples.map(querySample)].slice(0, 6).join('<br>')}</td></tr>`).join('')}
      ${p.diff.removed.map((id) => `<tr><td>${esc(id)}</td><td>removed</td><td colspan="3"></td></tr>`).join('')}
      </tbody></table>`;
  };
  const versions = async () => {
    const v = await api('GET', '/v1/rules/versions');
    main.querySelector('#versions').innerHTML = v.versions
      .slice(0, 10)
      .map((x) => `<div>v${x.version}${x.version === v.current ? ' <span class="pill">live</span>' : ''} · ${esc(x.publishedBy)} · ${esc(x.note ?? '')} ${x.diff ? `(+${x.diff.added} ~${x.diff.changed} −${x.diff.removed})` : ''}
        ${canEdit && x.version !== v.current ? `<button type="button" data-rollback="${x.version}">Roll back to v${x.version}</button>` : ''}</div>`)
      .join('');
  };
  const backfill = async () => {
    const b = await api('GET', '/v1/rules/backfill');
    const j = b.jobs[0];
    const p = j?.progress && typeof j.progress === 'object' ? j.progress : null;
    main.querySelector('#backfill').innerHTML = j
      ? `<p>${esc(j.jobId)} · ${esc(j.state)}</p>${p ? `<progress max="${p.total || 1}" value="${p.done}" aria-label="Backfill progress"></progress> ${p.done}/${p.total} · ${p.ratePerSec}/s · ETA ${p.etaSeconds ?? '?'} s` : ''}
         <p class="muted">Filtered at query time meanwhile: ${esc(b.pendingForSearch.join(', ') || 'none')}</p>`
      : '<p class="muted">No backfill has run.</p>';
  };
  main.querySelector('#versions').addEventListener('click', async (e) => {
    const v = e.target.dataset.rollback;
    if (!v) return;
    const r = await api('POST', '/v1/rules/rollback', { version: Number(v) });
    main.querySelector('#publish-msg').textContent = `Re-published v${v} as v${r.version}.`;
    await Promise.all([load(), versions()]);
  });
  main.querySelector('#preview-btn')?.addEventListener('click', () => void preview());
  main.querySelector('#publish-btn')?.addEventListener('click', async () => {
    const out = main.querySelector('#publish-msg');
    try {
      const note = main.querySelector('#pub-note').value;
      const r = await api('POST', '/v1/rules/publish', note ? { note } : {});
      out.textContent = `Published v${r.version}: added ${r.diff.added.join(', ') || 'none'}; changed ${r.diff.changed.map((c) => c.id).join(', ') || 'none'}; removed ${r.diff.removed.join(', ') || 'none'}.`;
      await Promise.all([load(), versions(), backfill()]);
    } catch (err) {
      out.textContent = err.message;
    }
  });
  setShortcuts([['/', 'search rules'], ['[', 'previous page'], [']', 'next page'], ['p', 'preview']], (e, typing) => {
    if (typing) return;
    if (e.key === '/') {
      e.preventDefault();
      main.querySelector('#rule-search').focus();
    } else if (e.key === '[') void turn(false);
    else if (e.key === ']') void turn(true);
    else if (e.key === 'p') void preview();
  });
  await Promise.all([load(), versions(), backfill()]);
  every(2000, backfill);
}
