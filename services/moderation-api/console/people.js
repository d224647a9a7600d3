import { api, esc } from './api.js';
import { setShortcuts } from './app.js';

const ROLES = ['reporter', 'moderator', 'lead', 'legal', 'admin', 'search', 'ingest', 'agency', 'service'];
const STANDINGS = ['trusted_flagger', 'authority', 'automated'];
/** Standings whose holder is named with its member state in its reports. */
const NAMED = ['trusted_flagger', 'authority'];
const EEA = ['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO'];

/** The admin's people page: who may act, in which roles, with which grants, through which tokens. */
export async function renderPeople({ main, me }) {
  main.innerHTML = `
    <div class="grid">
      <section class="card">
        <div class="row"><h1 style="margin:0 auto 0 0">People</h1>
          <label for="people-search" class="muted">Search <kbd>/</kbd></label><input id="people-search" placeholder="id, name or email">
          <label><input type="checkbox" id="show-disabled"> show disabled</label>
        </div>
        <table aria-label="People"><thead><tr><th>Id</th><th>Name</th><th>Roles</th><th>Grants</th><th>Live tokens</th><th></th></tr></thead><tbody id="people-rows"></tbody></table>
      </section>
      <aside>
        <form class="card" id="person-form" aria-label="Add or edit a person">
          <h2 id="person-form-title">Add a person</h2>
          <label for="p-id">Actor id (never reused)</label><input id="p-id" pattern="[a-z0-9][a-z0-9._\\-]{0,62}" placeholder="derived from the name" style="width:100%">
          <label for="p-name">Display name</label><input id="p-name" required maxlength="120" style="width:100%">
          <label for="p-email">Email (optional)</label><input id="p-email" type="email" style="width:100%">
          <fieldset><legend>Roles</legend>${ROLES.map((r) => `<label><input type="checkbox" name="p-role" value="${r}"> ${r}</label>`).join(' ')}</fieldset>
          <label><input type="checkbox" id="p-csam"> Cleared for csam (restricted lane, csam text and figures; takes effect when a second admin confirms)</label>
          <label for="p-standing">Reporter standing</label><select id="p-standing"><option value="">none</option>${STANDINGS.map((s) => `<option>${s}</option>`).join('')}</select>
          <label for="p-member-state">Member state (trusted flaggers: the state whose coordinator designated them; authorities: their own)</label><select id="p-member-state"><option value="">none</option>${EEA.map((c) => `<option>${c}</option>`).join('')}</select>
          <label for="p-agency">Agency they act for (agency people only, required for them)</label><select id="p-agency"><option value="">none</option></select>
          <label><input type="checkbox" id="p-emergency"> Emergency grant (legal officers: may disclose an emergency request alone)</label>
          <p><button class="primary" type="submit" id="person-save">Add person</button> <button type="button" id="person-cancel" hidden>Cancel</button></p>
          <p id="person-msg" class="error" role="alert"></p>
        </form>
        <form class="card" id="token-form" aria-label="Issue a token" hidden>
          <h2>Issue a token for <span id="t-person"></span></h2>
          <label for="t-role">Role</label><select id="t-role"></select>
          <label for="t-name">Token name (a device, a rotation)</label><input id="t-name" required pattern="[A-Za-z0-9._@\\-]{1,80}" style="width:100%">
          <p><button class="primary" type="submit">Issue token</button> <button type="button" id="token-cancel">Cancel</button></p>
          <p id="token-msg" class="error" role="alert"></p>
        </form>
        <div class="card" id="new-token" hidden role="status">
          <h2>New token</h2>
          <p>Shown this once: hand it to its owner now.</p>
          <input id="new-token-value" readonly style="width:100%" aria-label="New token">
        </div>
      </aside>
    </div>`;

  let people = [];
  let editing = null;
  let issuing = null;
  const rows = main.querySelector('#people-rows');
  const form = main.querySelector('#person-form');
  const tokenForm = main.querySelector('#token-form');
  const msg = main.querySelector('#person-msg');

  const draw = () => {
    const q = main.querySelector('#people-search').value.toLowerCase();
    const showDisabled = main.querySelector('#show-disabled').checked;
    rows.innerHTML = people
      .filter((p) => (showDisabled || !p.disabledAt) && (!q || [p.id, p.displayName, p.email ?? ''].some((v) => v.toLowerCase().includes(q))))
      .map((p) => {
        const live = p.tokens.filter((t) => !t.revokedAt);
        return `<tr${p.disabledAt ? ' class="muted"' : ''}><td>${esc(p.id)}</td><td>${esc(p.displayName)}${p.email ? `<br><span class="muted">${esc(p.email)}</span>` : ''}</td>
          <td>${esc(p.roles.join(', '))}</td>
          <td>${p.grants.csam ? '<span class="pill">csam</span>' : ''}${p.grants.standing ? `<span class="pill">${esc(p.grants.standing)}${p.grants.memberState ? ` ${esc(p.grants.memberState)}` : ''}</span>` : ''}${p.grants.agency ? `<span class="pill">agency ${esc(p.grants.agency)}</span>` : ''}${p.grants.emergency ? '<span class="pill">emergency</span>' : ''}${pendingGrant(p)}</td>
          <td>${live.map((t) => `${esc(t.name)} <span class="muted">(${esc(t.role)})</span> <button type="button" data-revoke="${esc(t.id)}" aria-label="Revoke ${esc(t.name)}">Revoke</button>`).join('<br>')}</td>
          <td>${p.disabledAt ? `disabled ${esc(p.disabledAt.slice(0, 10))}` : `<button type="button" data-token="${esc(p.id)}">Token</button> <button type="button" data-edit="${esc(p.id)}">Edit</button>${p.id === me.actorId ? '' : ` <button type="button" data-disable="${esc(p.id)}">Disable</button>`}`}</td></tr>`;
      })
      .join('');
  };
  // A csam clearance one admin asked for waits for a second admin: the asker and the person see who asked; others may confirm.
  const pendingGrant = (p) => {
    const g = p.pendingCsamGrant;
    if (!g) return '';
    const mayDecide = g.requestedBy !== me.actorId && p.id !== me.actorId;
    return `<span class="pill">csam pending</span> <span class="muted">asked by ${esc(g.requestedBy)}</span>${mayDecide ? ` <button type="button" data-grant="${esc(p.id)}" data-confirm="true">Confirm csam</button> <button type="button" data-grant="${esc(p.id)}" data-confirm="false">Reject</button>` : ''}`;
  };
  const load = async () => {
    people = (await api('GET', '/v1/people')).people;
    draw();
  };
  // Registered agencies, for the agency grant (POST /v1/legal/agencies registers one).
  const agencySelect = main.querySelector('#p-agency');
  const loadAgencies = async () => {
    try {
      const { agencies } = await api('GET', '/v1/legal/agencies');
      agencySelect.innerHTML = `<option value="">none</option>${agencies.map((a) => `<option value="${esc(a.id)}">${esc(a.name)} (${esc(a.country)}, ${esc(a.function.replace(/_/g, ' '))})</option>`).join('')}`;
    } catch {
      // no agencies to offer: the grant cannot be set here
    }
  };
  const resetForm = () => {
    editing = null;
    form.reset();
    main.querySelector('#p-id').disabled = false;
    main.querySelector('#person-form-title').textContent = 'Add a person';
    main.querySelector('#person-save').textContent = 'Add person';
    main.querySelector('#person-cancel').hidden = true;
    msg.textContent = '';
  };
  const fail = (el, err) => {
    const field = err.body?.error?.field;
    el.textContent = `${err.message}${field ? ` (${field})` : ''}`;
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const roles = [...form.querySelectorAll('input[name=p-role]:checked')].map((i) => i.value);
    const displayName = main.querySelector('#p-name').value.trim();
    const email = main.querySelector('#p-email').value.trim();
    const csam = main.querySelector('#p-csam').checked;
    const standing = main.querySelector('#p-standing').value;
    // Only a trusted flagger or authority has a member state; any other standing clears it.
    const memberState = NAMED.includes(standing) ? main.querySelector('#p-member-state').value : '';
    const agency = agencySelect.value;
    const emergency = main.querySelector('#p-emergency').checked;
    try {
      if (editing) {
        await api('PATCH', `/v1/people/${encodeURIComponent(editing)}`, { displayName, roles, email: email || null, csam, standing: standing || null, ...(standing ? { memberState: memberState || null } : {}), agency: agency || null, emergency });
      } else {
        const id = main.querySelector('#p-id').value.trim();
        await api('POST', '/v1/people', { ...(id ? { id } : {}), displayName, roles, ...(email ? { email } : {}), ...(csam ? { csam } : {}), ...(standing ? { standing } : {}), ...(memberState ? { memberState } : {}), ...(agency ? { agency } : {}), ...(emergency ? { emergency } : {}) });
      }
      resetForm();
      await load();
    } catch (err) {
      fail(msg, err);
    }
  });
  main.querySelector('#person-cancel').addEventListener('click', resetForm);

  tokenForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await api('POST', `/v1/people/${encodeURIComponent(issuing)}/tokens`, { role: main.querySelector('#t-role').value, name: main.querySelector('#t-name').value.trim() });
      main.querySelector('#new-token').hidden = false;
      const out = main.querySelector('#new-token-value');
      out.value = r.token;
      out.select();
      tokenForm.hidden = true;
      await load();
    } catch (err) {
      fail(main.querySelector('#token-msg'), err);
    }
  });
  main.querySelector('#token-cancel').addEventListener('click', () => {
    tokenForm.hidden = true;
  });

  rows.addEventListener('click', async (e) => {
    const b = e.target.closest('button');
    if (!b) return;
    try {
      if (b.dataset.edit) {
        const p = people.find((x) => x.id === b.dataset.edit);
        editing = p.id;
        main.querySelector('#p-id').value = p.id;
        main.querySelector('#p-id').disabled = true;
        main.querySelector('#p-name').value = p.displayName;
        main.querySelector('#p-email').value = p.email ?? '';
        for (const i of form.querySelectorAll('input[name=p-role]')) i.checked = p.roles.includes(i.value);
        main.querySelector('#p-csam').checked = Boolean(p.grants.csam);
        main.querySelector('#p-standing').value = p.grants.standing ?? '';
        main.querySelector('#p-member-state').value = p.grants.memberState ?? '';
        agencySelect.value = p.grants.agency ?? '';
        main.querySelector('#p-emergency').checked = Boolean(p.grants.emergency);
        main.querySelector('#person-form-title').textContent = `Edit ${p.id}`;
        main.querySelector('#person-save').textContent = 'Save';
        main.querySelector('#person-cancel').hidden = false;
        main.querySelector('#p-name').focus();
      } else if (b.dataset.token) {
        const p = people.find((x) => x.id === b.dataset.token);
        issuing = p.id;
        main.querySelector('#t-person').textContent = p.displayName;
        main.querySelector('#t-role').innerHTML = p.roles.map((r) => `<option>${esc(r)}</option>`).join('');
        main.querySelector('#t-name').value = `${p.id}-${p.tokens.length + 1}`;
        main.querySelector('#token-msg').textContent = '';
        tokenForm.hidden = false;
        main.querySelector('#t-name').focus();
      } else if (b.dataset.grant) {
        await api('POST', `/v1/people/${encodeURIComponent(b.dataset.grant)}/csam-grant`, { confirm: b.dataset.confirm === 'true' });
        await load();
      } else if (b.dataset.revoke) {
        if (!confirm('Revoke this token? Whoever holds it is signed out at once.')) return;
        await api('DELETE', `/v1/tokens/${encodeURIComponent(b.dataset.revoke)}`);
        await load();
      } else if (b.dataset.disable) {
        if (!confirm(`Disable ${b.dataset.disable}? Every token of theirs stops working; the id is never reused.`)) return;
        await api('DELETE', `/v1/people/${encodeURIComponent(b.dataset.disable)}`);
        await load();
      }
    } catch (err) {
      fail(msg, err);
    }
  });
  main.querySelector('#people-search').addEventListener('input', draw);
  main.querySelector('#show-disabled').addEventListener('change', draw);
  setShortcuts([['/', 'search people']], (e, typing) => {
    if (!typing && e.key === '/') {
      e.preventDefault();
      main.querySelector('#people-search').focus();
    }
  });
  await Promise.all([load(), loadAgencies()]);
}
