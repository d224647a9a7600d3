// Thin API client: the token lives in sessionStorage (gone when the tab closes).
export const session = {
  get token() {
    return sessionStorage.getItem('takedown.token') ?? '';
  },
  set token(t) {
    if (t) sessionStorage.setItem('takedown.token', t);
    else sessionStorage.removeItem('takedown.token');
  },
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${session.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined;
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, parsed);
  return parsed;
}

/** Fetches an authenticated image as an object URL (an <img> cannot send the bearer token). */
export async function imageUrl(path) {
  const res = await fetch(path, { headers: { authorization: `Bearer ${session.token}` } });
  if (!res.ok) throw new ApiError(res.status);
  return URL.createObjectURL(await res.blob());
}

/** Escapes text for HTML. */
export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Text with rule hits highlighted: spans are UTF-16 offsets into the original text, merged where they overlap. */
export function highlight(text, hits) {
  const spans = hits
    .filter((h) => !h.shadow && h.end > h.start && h.end <= text.length)
    .map((h) => [h.start, h.end, h.ruleId])
    .sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end, ruleId] of spans) {
    if (start < at) continue;
    out += esc(text.slice(at, start)) + `<mark class="hit" title="${esc(ruleId)}">${esc(text.slice(start, end))}</mark>`;
    at = end;
  }
  return out + esc(text.slice(at));
}

/** Downloads an authenticated file (a link cannot send the bearer token). */
export async function download(path, filename, msg) {
  const res = await fetch(path, { headers: { authorization: `Bearer ${session.token}` } });
  if (!res.ok) {
    msg.textContent = `download failed (HTTP ${res.status})`;
    return;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
