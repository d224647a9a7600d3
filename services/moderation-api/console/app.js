import { api, ApiError, esc, session } from './api.js';
import { renderQueues, renderCase, claimNext } from './moderator.js';
import { renderRules } from './lead.js';
import { renderDashboard } from './dashboard.js';
import { renderPeople } from './people.js';
import { renderSwitches } from './switches.js';
import { renderLegalInbox, renderLegalRequest, renderTransparency } from './legal.js';
import { renderStatements } from './statements.js';

const main = document.getElementById('main');
const footer = document.getElementById('shortcuts');
export const state = { me: null, keyHandler: null, timers: [], generation: 0 };

const ROUTES = {
  queues: { roles: ['moderator', 'lead', 'admin'], render: renderQueues },
  case: { roles: ['moderator'], render: renderCase },
  appeals: { roles: ['moderator'], render: (ctx) => claimNext(ctx, 'appeals') },
  rules: { roles: ['lead', 'admin'], render: renderRules },
  dashboard: { roles: ['lead', 'admin'], render: renderDashboard },
  people: { roles: ['admin'], render: renderPeople },
  switches: { roles: ['lead', 'legal', 'admin'], render: renderSwitches },
  legal: { roles: ['legal', 'agency'], render: renderLegalInbox },
  'legal-request': { roles: ['legal', 'agency'], render: renderLegalRequest },
  transparency: { roles: ['legal', 'lead', 'admin'], render: renderTransparency },
  statements: { roles: ['lead', 'admin'], render: renderStatements },
};

/** Shortcuts shown on screen for the current view, and the handler they call. */
export function setShortcuts(list, handler) {
  footer.innerHTML = list.map(([k, what]) => `<kbd>${esc(k)}</kbd> ${esc(what)}`).join(' &nbsp; ');
  state.keyHandler = handler;
}

export function every(ms, fn) {
  const t = setInterval(fn, ms);
  state.timers.push(t);
  return t;
}

document.addEventListener('keydown', (e) => {
  if (!state.keyHandler || e.ctrlKey || e.metaKey || e.altKey) return;
  const typing = ['INPUT', 'TEXTAREA', 'SELECT'].includes(e.target.tagName);
  state.keyHandler(e, typing);
});

function signIn(message) {
  setShortcuts([['Enter', 'sign in']], null);
  main.innerHTML = `
    <div class="card" style="max-width:480px">
      <h1>Sign in</h1>
      <form id="signin">
        <label for="token">Access token</label>
        <input id="token" name="token" type="password" autocomplete="off" style="width:100%" aria-describedby="signin-msg" required>
        <p id="signin-msg" class="error" role="alert">${esc(message ?? '')}</p>
        <button class="primary" type="submit">Sign in</button>
      </form>
    </div>`;
  const input = main.querySelector('#token');
  input.focus();
  main.querySelector('#signin').addEventListener('submit', async (e) => {
    e.preventDefault();
    session.token = input.value.trim();
    await boot();
  });
}

async function boot() {
  if (!session.token) return signIn();
  try {
    state.me = await api('GET', '/v1/me');
  } catch (err) {
    session.token = '';
    return signIn(err instanceof ApiError && err.status === 401 ? 'That token is unknown or revoked.' : 'Sign-in failed.');
  }
  // The job board is a separate page: it authenticates with an HttpOnly session cookie opened with this token (never the token itself).
  if (state.me.role === 'admin') await api('POST', '/v1/session/admin-cookie').catch(() => undefined);
  document.getElementById('who').textContent = `${state.me.name === state.me.actorId ? state.me.name : `${state.me.name} · ${state.me.actorId}`} (${state.me.role}${state.me.grants.csam ? ', csam' : ''})`;
  document.getElementById('signout').hidden = false;
  for (const a of document.querySelectorAll('nav a')) a.hidden = !a.dataset.roles.split(' ').includes(state.me.role);
  if (!location.hash || location.hash === '#/') location.hash = state.me.role === 'moderator' ? '#/queues' : state.me.role === 'admin' ? '#/people' : state.me.role === 'lead' ? '#/rules' : state.me.role === 'legal' || state.me.role === 'agency' ? '#/legal' : '#/none';
  route();
}

export function route() {
  for (const t of state.timers) clearInterval(t);
  state.timers = [];
  state.keyHandler = null;
  if (!state.me) return;
  const [name, arg] = location.hash.replace(/^#\//, '').split('/');
  for (const a of document.querySelectorAll('nav a')) a.toggleAttribute('aria-current', a.getAttribute('href') === `#/${name}`);
  const r = ROUTES[name];
  if (!r || !r.roles.includes(state.me.role)) {
    setShortcuts([], null);
    main.innerHTML = `<div class="card" role="alert"><h1>Not available</h1><p>The ${esc(state.me.role)} role cannot open this page.</p></div>`;
    return;
  }
  // A page still loading when the user moves on must not write over the next one.
  const generation = ++state.generation;
  const ctx = { main, me: state.me, arg, isCurrent: () => generation === state.generation };
  Promise.resolve(r.render(ctx)).catch((err) => {
    if (ctx.isCurrent()) main.innerHTML = `<div class="card error" role="alert">${esc(err.message)}</div>`;
  });
}

window.addEventListener('hashchange', route);
document.getElementById('signout').addEventListener('click', async () => {
  // Ends the board sessions opened with this token (the cookie, scoped to /admin, never reaches /v1).
  if (state.me?.role === 'admin') await api('DELETE', '/v1/session/admin-cookie').catch(() => undefined);
  session.token = '';
  location.hash = '';
  location.reload();
});
boot();
