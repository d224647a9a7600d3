import { api, ApiError, esc, highlight, imageUrl } from './api.js';
import { every, setShortcuts } from './app.js';

const QUEUE_KEYS = { 1: 'default', 2: 'escalated', 3: 'appeals', 4: 'csam' };
const ACTION_KEYS = { r: 'remove', k: 'keep', e: 'escalate', t: 'restrict', l: 'label' };
const CATEGORIES = ['csam', 'terrorism', 'drugs', 'weapons', 'fraud', 'other'];
/** Where the text shown comes from: the platform's index is the source of truth; a reporter's copy is only their word. */
const SOURCE_LABEL = {
  platform: 'the platform’s copy',
  detector: 'a detector’s copy (not in the index)',
  report: 'the first reporter’s copy: unverified, never acted on automatically',
};

/** The case this tab holds: { case, lease, queue }. */
let held = null;

const age = (s) => (s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min` : s >= 60 ? `${Math.floor(s / 60)} min` : `${s} s`);

export async function renderQueues({ main, me }) {
  const { queues } = await api('GET', '/v1/queues');
  const canClaim = me.role === 'moderator';
  main.innerHTML = `
    <div class="card"><h1>Queues</h1>
      <table aria-label="Review queues"><thead><tr><th>Queue</th><th>Waiting</th><th>Oldest</th><th></th></tr></thead><tbody>
      ${queues
        .map(
          (q) => `<tr><td>${esc(q.queue)}</td><td data-depth="${esc(q.queue)}">${q.depth}</td><td>${q.depth ? age(q.oldestAgeSeconds) : '—'}</td>
          <td>${canClaim ? `<button class="primary" data-claim="${esc(q.queue)}" aria-label="Claim next case from ${esc(q.queue)}">Claim next</button>` : ''}</td></tr>`,
        )
        .join('')}
      </tbody></table>
      <p id="queue-msg" class="muted" role="status"></p>
    </div>
    ${mayConfirm(me) ? '<div class="card" id="pending-moves" aria-label="Pending category moves"></div>' : ''}`;
  for (const b of main.querySelectorAll('[data-claim]')) b.addEventListener('click', () => claimNext({ main }, b.dataset.claim));
  if (mayConfirm(me)) {
    bindPendingMoves(main.querySelector('#pending-moves'));
    await renderPendingMoves(main.querySelector('#pending-moves'));
  }
  const shortcuts = canClaim ? Object.entries(QUEUE_KEYS).filter(([, q]) => queues.some((x) => x.queue === q)).map(([k, q]) => [k, `claim next from ${q}`]) : [];
  setShortcuts(shortcuts, (e, typing) => {
    if (!typing && canClaim && QUEUE_KEYS[e.key] && queues.some((x) => x.queue === QUEUE_KEYS[e.key])) claimNext({ main }, QUEUE_KEYS[e.key]);
  });
  every(5000, async () => {
    // New requests show up within a refresh of the cases index.
    if (mayConfirm(me)) await renderPendingMoves(main.querySelector('#pending-moves'));
    const { queues: now } = await api('GET', '/v1/queues');
    for (const q of now) {
      const cell = main.querySelector(`[data-depth="${q.queue}"]`);
      if (cell) cell.textContent = String(q.depth);
    }
  });
}

/** Confirming a move across the csam line takes the grant (moderators and leads; the API checks again). */
const mayConfirm = (me) => me.grants.csam === true && (me.role === 'moderator' || me.role === 'lead');

/** Moves across the csam line waiting for a second cleared person: Confirm or Reject each. */
async function renderPendingMoves(el) {
  const { cases } = await api('GET', '/v1/cases?pendingMove=true&size=100');
  const said = el.querySelector('#move-msg')?.textContent ?? '';
  el.innerHTML = `<h2>Pending category moves</h2>${
    cases.length
      ? `<table aria-label="Pending category moves"><thead><tr><th>Case</th><th>Move</th><th>Asked by</th><th>Reason</th><th></th></tr></thead><tbody>
        ${cases
          .map(
            (c) => `<tr class="pending-move" data-move="${esc(c.id)}"><td>${esc(c.id)}<br><span class="muted">${esc(c.contentId)}</span></td>
            <td>${esc(c.categoryMove.from)} → ${esc(c.categoryMove.to)}</td><td>${esc(c.categoryMove.requestedBy)}<br><span class="muted">${esc(c.categoryMove.requestedAt)}</span></td><td>${esc(c.categoryMove.reason)}</td>
            <td><button class="primary" type="button" data-confirm="${esc(c.id)}">Confirm</button> <button type="button" data-reject="${esc(c.id)}">Reject</button></td></tr>`,
          )
          .join('')}</tbody></table>`
      : '<p class="muted">None waiting.</p>'
  }<p id="move-msg" role="status">${esc(said)}</p>`;
}

/** Confirm and Reject, bound once on the card (its rows are redrawn after each answer). */
function bindPendingMoves(el) {
  el.addEventListener('click', async (e) => {
    const id = e.target.dataset.confirm ?? e.target.dataset.reject;
    if (!id) return;
    try {
      const r = await api('POST', `/v1/cases/${id}/category-move/confirm`, { confirm: e.target.dataset.confirm !== undefined });
      await renderPendingMoves(el);
      el.querySelector('#move-msg').textContent = `Case ${id}: move ${r.outcome}; now ${r.category} on the ${r.lane} lane.`;
    } catch (err) {
      el.querySelector('#move-msg').textContent = err.message;
    }
  });
}

export async function claimNext({ main }, queue) {
  try {
    const r = await api('POST', '/v1/review/claim', { queue });
    if (!r) {
      held = null;
      main.innerHTML = `<div class="card" role="status"><h1>Queue ${esc(queue)} is empty</h1><p><a href="#/queues">Back to queues</a></p></div>`;
      setShortcuts([], null);
      return;
    }
    held = { case: r.case, lease: r.lease, queue };
    if (location.hash !== '#/case') location.hash = '#/case';
    else await renderCase({ main });
  } catch (err) {
    const msg = err instanceof ApiError && err.status === 403 ? `You may not claim from the ${queue} queue.` : err.message;
    const target = main.querySelector('#queue-msg');
    if (target) target.textContent = msg;
    else main.innerHTML = `<div class="card error" role="alert">${esc(msg)}</div>`;
  }
}

export async function renderCase({ main }) {
  if (!held) {
    location.hash = '#/queues';
    return;
  }
  const { lease, queue } = held;
  const detail = await api('GET', `/v1/cases/${held.case.id}`);
  const c = detail.case;
  const media = c.content.mediaSha256 ?? [];
  const [authorHistory, similar] = await Promise.all([
    api('GET', `/v1/cases?authorId=${encodeURIComponent(c.content.authorId)}&status=decided&size=10`),
    c.ruleHits.find((h) => !h.shadow) ? api('GET', `/v1/cases?ruleId=${encodeURIComponent(c.ruleHits.find((h) => !h.shadow).ruleId)}&status=open&size=6`) : { cases: [] },
  ]);
  const lastDecision = detail.decisions.at(-1);
  const appeal = detail.appeals.at(-1);
  main.innerHTML = `
    <div class="grid">
      <section>
        <div class="card">
          <div class="row" style="justify-content:space-between">
            <h1 style="margin:0">Case ${esc(c.id)}</h1>
            <span>Queue <span class="pill">${esc(queue)}</span> · priority ${c.priority} · <span class="pill">${esc(c.category)}</span> ·
              lease <span id="lease" class="lease" aria-live="off"></span></span>
          </div>
          <p class="muted">${esc(c.content.type)} ${esc(c.contentId)} by ${esc(c.content.authorId)}${c.content.lang ? ` · ${esc(c.content.lang)}` : ''} · <span class="pill source-${esc(c.content.source ?? 'report')}" id="content-source">${esc(SOURCE_LABEL[c.content.source] ?? SOURCE_LABEL.report)}</span></p>
          <div class="content-text" id="content-text">${highlight(c.content.text ?? '', c.ruleHits)}</div>
          ${c.ruleHits.length ? `<p class="muted">Rule hits: ${c.ruleHits.map((h) => `<span class="pill">${esc(h.ruleId)}${h.shadow ? ' (shadow)' : ''}${h.unverified ? ' (on the reporter’s copy: unverified)' : ''}</span>`).join(' ')}</p>` : ''}
          ${media.length ? `<h2>Media (blurred; reveal one at a time, every reveal is recorded)</h2><div class="media">${media.map((m, i) => `<figure><img data-media="${i}" class="blurred" alt="Media item ${i + 1}, blurred"><figcaption><button type="button" data-reveal="${i}">Reveal item ${i + 1}</button></figcaption></figure>`).join('')}</div>` : ''}
        </div>
        ${appeal ? `<div class="card" aria-label="Appeal"><h2>Appeal</h2><div class="grid"><div><h3>Original decision</h3><p>${esc(lastDecision?.action)} · ${esc(lastDecision?.category)} · ${esc(lastDecision?.legalGround)}</p><p class="muted">by ${esc(lastDecision?.decidedBy)} at ${esc(lastDecision?.decidedAt)}</p></div><div><h3>Appeal</h3><p>${esc(appeal.reason)}</p><p class="muted">${esc(appeal.receivedAt)}</p></div></div></div>` : ''}
        <div class="card"><h2>Reports (${detail.reports.length})</h2><table><thead><tr><th>Reason</th><th>Reporter</th><th>Note</th><th>Reporter’s copy (evidence)</th><th>Received</th></tr></thead><tbody>
          ${detail.reports.map((r) => `<tr><td>${esc(r.reason)}</td><td>${esc(r.reporter.type)}${r.filedBy ? `<br><span class="muted">${esc(r.filedBy.tokenId === 'system' ? 'content scan' : r.filedBy.name)}</span>` : ''}</td><td>${esc(r.note ?? '')}</td><td>${esc((r.content.text ?? '').slice(0, 300))}</td><td>${esc(r.receivedAt)}</td></tr>`).join('')}
        </tbody></table></div>
        <div class="card"><h2>Author's earlier decisions</h2>${authorHistory.cases.filter((x) => x.id !== c.id).map((x) => `<div>${esc(x.lastAction)} · ${esc(x.category)} · ${esc(x.contentId)}</div>`).join('') || '<p class="muted">None.</p>'}</div>
        <div class="card"><h2>Similar open cases</h2>${similar.cases.filter((x) => x.id !== c.id).map((x) => `<div>${esc(x.contentId)} · ${esc(x.category)} · priority ${x.priority}</div>`).join('') || '<p class="muted">None.</p>'}</div>
      </section>
      <aside>
        <form class="card" id="decision" aria-label="Decision">
          <h2>Decision</h2>
          <fieldset style="border:0;padding:0"><legend class="muted">Action</legend>
            ${Object.entries(ACTION_KEYS).map(([k, a]) => `<label style="display:inline-block;margin-right:10px"><input type="radio" name="action" value="${a}"> ${a} <kbd>${k}</kbd></label>`).join('')}
          </fieldset>
          <label for="category">Category <kbd>c</kbd></label>
          <select id="category" name="category">${CATEGORIES.map((x) => `<option ${x === c.category ? 'selected' : ''}>${x}</option>`).join('')}</select>
          <label for="ground">Ground (statement of reasons)</label>
          <select id="ground" name="ground">${groundOptions(c.category)}</select>
          <label for="legalGround">Legal ground, or the terms clause <kbd>g</kbd></label>
          <input id="legalGround" name="legalGround" style="width:100%" value="${esc(defaultGround(c.category))}">
          <label for="explanation">Explanation (public: no names, no quotes; blank for the standard one)</label>
          <textarea id="explanation" name="explanation" rows="2" style="width:100%" maxlength="2000"></textarea>
          <label id="also-illegal-row" style="display:${defaultGroundKind(c.category) === 'terms_and_conditions' ? 'block' : 'none'}"><input type="checkbox" id="alsoIllegal" name="alsoIllegal"> Also illegal</label>
          <label for="countries">Countries (restrict only, e.g. DE FR)</label>
          <input id="countries" name="countries" style="width:100%">
          <label for="note">Note</label>
          <textarea id="note" name="note" rows="2" style="width:100%"></textarea>
          <p><button class="danger" type="submit">Submit and next <kbd>Enter</kbd></button> <button type="button" id="release">Release <kbd>Esc</kbd></button></p>
          <p id="decision-msg" class="error" role="alert"></p>
        </form>
        <form class="card" id="category-move" aria-label="Category move">
          ${csamCase(c)
            ? `<h2>Move out of csam</h2><p class="muted">A second cleared person confirms; until then the case stays restricted.</p>
               <label for="move-to">New category</label><select id="move-to">${CATEGORIES.filter((x) => x !== 'csam').map((x) => `<option>${x}</option>`).join('')}</select>`
            : `<h2>Possible abuse material?</h2><p class="muted">The case is restricted at once (hidden from uncleared moderators, you included); a cleared moderator confirms the category.</p>`}
          <label for="move-reason">Reason</label><input id="move-reason" style="width:100%" required minlength="3">
          <p><button class="danger" type="submit">${csamCase(c) ? 'Ask to move out of csam' : 'Move to the csam lane'}</button></p>
          <p id="move-msg" class="error" role="alert"></p>
        </form>
      </aside>
    </div>`;

  // Lease countdown, renewed by heartbeat while the case is open.
  const leaseEl = main.querySelector('#lease');
  const tick = () => {
    const left = Math.max(0, Math.round((Date.parse(held?.lease.expiresAt ?? 0) - Date.now()) / 1000));
    leaseEl.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
    leaseEl.classList.toggle('low', left < 60);
  };
  tick();
  every(1000, tick);
  every(30000, async () => {
    if (!held) return;
    try {
      held.lease = (await api('POST', `/v1/review/${c.id}/heartbeat`, { leaseToken: held.lease.token })).lease;
    } catch {
      main.querySelector('#decision-msg').textContent = 'The lease was lost; this case went back to its queue.';
    }
  });

  // Media: blurred and greyscale; one revealed at a time, each reveal audited.
  let revealed = -1;
  const reveal = async (i) => {
    await api('POST', `/v1/review/${c.id}/reveal`, { leaseToken: lease.token, index: i });
    for (const img of main.querySelectorAll('[data-media]')) img.classList.toggle('blurred', Number(img.dataset.media) !== i);
    revealed = i;
  };
  for (const img of main.querySelectorAll('[data-media]')) imageUrl(`/v1/cases/${c.id}/media/${img.dataset.media}`).then((u) => (img.src = u));
  for (const b of main.querySelectorAll('[data-reveal]')) b.addEventListener('click', () => reveal(Number(b.dataset.reveal)));

  const form = main.querySelector('#decision');
  const submit = async () => {
    const data = new FormData(form);
    const action = data.get('action');
    const msg = main.querySelector('#decision-msg');
    if (!action) {
      msg.textContent = 'Choose an action first (r, k, e, t or l).';
      return;
    }
    const countries = String(data.get('countries') ?? '').toUpperCase().split(/[\s,]+/).filter(Boolean);
    try {
      await api('POST', `/v1/review/${c.id}/decision`, {
        leaseToken: held.lease.token,
        action,
        category: data.get('category'),
        legalGround: String(data.get('legalGround') ?? ''),
        ground: data.get('ground'),
        ...(String(data.get('explanation') ?? '').trim() ? { explanation: String(data.get('explanation')) } : {}),
        ...(data.get('ground') === 'terms_and_conditions' ? { alsoIllegal: data.get('alsoIllegal') === 'on' } : {}),
        ...(action === 'restrict' ? { countries } : {}),
        ...(data.get('note') ? { note: String(data.get('note')) } : {}),
      });
      await claimNext({ main }, queue);
    } catch (err) {
      msg.textContent = err.body?.error?.field ? `${err.message} (${err.body.error.field})` : err.message;
    }
  };
  // The ground follows the category until the moderator picks one: other is a terms decision only.
  const groundSelect = form.querySelector('#ground');
  const syncGround = () => {
    // style, not the hidden attribute: the console's CSS makes labels display:block.
    form.querySelector('#also-illegal-row').style.display = groundSelect.value === 'terms_and_conditions' ? 'block' : 'none';
  };
  form.querySelector('#category').addEventListener('change', (e) => {
    const category = e.target.value;
    groundSelect.innerHTML = groundOptions(category);
    form.querySelector('#legalGround').value = defaultGround(category);
    syncGround();
  });
  groundSelect.addEventListener('change', syncGround);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void submit();
  });
  main.querySelector('#release').addEventListener('click', () => release(main, c.id));
  main.querySelector('#category-move').addEventListener('submit', async (e) => {
    e.preventDefault();
    const to = csamCase(c) ? main.querySelector('#move-to').value : 'csam';
    try {
      // The request hands the lease back: the case waits on its (new) lane for a cleared person.
      const r = await api('POST', `/v1/cases/${c.id}/category-move`, { to, reason: main.querySelector('#move-reason').value, leaseToken: held.lease.token });
      held = null;
      setShortcuts([], null);
      main.innerHTML = `<div class="card" role="status"><h1>Move requested</h1><p>Case ${esc(c.id)}: ${esc(r.categoryMove.from)} → ${esc(r.categoryMove.to)}, now on the ${esc(r.lane)} lane until a second cleared person confirms.</p><p><a href="#/queues">Back to queues</a></p></div>`;
    } catch (err) {
      main.querySelector('#move-msg').textContent = err.message;
    }
  });

  setShortcuts(
    [['r k e t l', 'choose remove / keep / escalate / restrict / label'], ['c', 'category'], ['g', 'legal ground'], ['v', 'reveal next media item'], ['Enter', 'submit and claim next'], ['Esc', 'release the case']],
    (e, typing) => {
      if (e.key === 'Escape') return void release(main, c.id);
      if (typing) return;
      if (ACTION_KEYS[e.key]) {
        form.querySelector(`input[value="${ACTION_KEYS[e.key]}"]`).checked = true;
        e.preventDefault();
      } else if (e.key === 'c') {
        form.querySelector('#category').focus();
        e.preventDefault();
      } else if (e.key === 'g') {
        form.querySelector('#legalGround').focus();
        e.preventDefault();
      } else if (e.key === 'v' && media.length) {
        void reveal((revealed + 1) % media.length);
      } else if (e.key === 'Enter') {
        e.preventDefault();
        void submit();
      }
    },
  );
}

async function release(main, caseId) {
  if (held) await api('POST', `/v1/review/${caseId}/release`, { leaseToken: held.lease.token }).catch(() => undefined);
  held = null;
  location.hash = '#/queues';
}

/** The case as the API restricts it: category or lane csam (the API's isCsamCase also counts signals the console need not know). */
function csamCase(c) {
  return c.category === 'csam' || c.lane === 'csam' || c.csamSignal === true;
}

/** The statement-of-reasons ground a category takes unless the moderator picks the other (category other: terms only). */
function defaultGroundKind(category) {
  return category === 'other' ? 'terms_and_conditions' : 'illegal_content';
}

function groundOptions(category) {
  const kinds = category === 'other' ? ['terms_and_conditions'] : ['illegal_content', 'terms_and_conditions'];
  const text = { illegal_content: 'Illegal content', terms_and_conditions: 'Terms and conditions' };
  return kinds.map((k) => `<option value="${k}" ${k === defaultGroundKind(category) ? 'selected' : ''}>${text[k]}</option>`).join('');
}

function defaultGround(category) {
  return {
    drugs: 'Sale of controlled substances',
    csam: 'Child sexual abuse material',
    terrorism: 'Terrorist content',
    weapons: 'Illegal sale of weapons',
    fraud: 'Fraud',
    other: 'Terms of service violation',
  }[category] ?? '';
}
