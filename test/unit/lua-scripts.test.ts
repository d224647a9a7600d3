import { LUA_DIR, SCRIPT_NAMES, scriptFiles } from '@takedown/shared';

// The BullMQ convention the scripts follow, checked on every file so a new
// script cannot slip back to building key names from a prefix (which a
// Redis Cluster client cannot route).

const files = scriptFiles(LUA_DIR);

/** KEYS[i] the header names: single entries and ranges ("KEYS[5..8]"); "n" when the count varies. */
function declaredKeys(header: string): { indices: Set<number>; open: boolean } {
  const indices = new Set<number>();
  let open = false;
  for (const m of header.matchAll(/^KEYS\[(\d+)(?:\.\.(\d+|n))?\]/gm)) {
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : m[2] === 'n' ? undefined : Number(m[2]);
    if (to === undefined) {
      open = true;
      indices.add(from);
    } else for (let i = from; i <= to; i++) indices.add(i);
  }
  return { indices, open };
}

describe('Lua scripts (shared/lua)', () => {
  it('are named name-<number of keys>.lua, one per script the code runs', () => {
    expect(files.map((f) => f.name).sort()).toEqual([...SCRIPT_NAMES].sort());
  });

  it('have their includes put in place', () => {
    for (const f of files) expect(f.source).not.toMatch(/@include/);
    expect(files.find((f) => f.name === 'release')?.source).toMatch(/local function returnToLane/);
  });

  it.each(files.map((f) => [f.file, f] as const))('%s: its header names exactly its KEYS, its ARGV and what it returns', (_file, f) => {
    const header = /^--\[\[\n([\s\S]*?)\n\]\]/.exec(f.source)?.[1];
    expect(header).toBeDefined();
    expect(header).toMatch(new RegExp(`^${f.file}: `));
    expect(header).toMatch(/^(ARGV\[|ARGV {2,})/m);
    expect(header).toMatch(/^Returns:/m);
    const { indices, open } = declaredKeys(header as string);
    if (f.keys === undefined) {
      expect(open).toBe(true);
    } else {
      expect(open).toBe(false);
      expect([...indices].sort((a, b) => a - b)).toEqual(Array.from({ length: f.keys }, (_, i) => i + 1));
    }
  });

  it.each(files.map((f) => [f.file, f] as const))('%s: builds no key names, and every key it touches comes from KEYS', (_file, f) => {
    const body = f.source.replace(/^--\[\[[\s\S]*?\]\]\n/, '');
    // A prefix or a separator glued on in Lua is a key being built.
    expect(body).not.toMatch(/ARGV\[[^\]]+\]\s*\.\.\s*'[^']*:/);
    expect(body).not.toMatch(/\.\.\s*':/);
    expect(body).not.toMatch(/KEYS\[[^\]]+\]\s*\.\./);
    // The key of every redis.call is KEYS[..] or a local bound to one.
    const fromKeys = new Set([...body.matchAll(/local (\w+)(?:, (\w+))? = (?:KEYS\[|laneKeys\()/g)].flatMap((m) => [m[1], m[2]].filter((x): x is string => !!x)));
    for (const m of body.matchAll(/for \w+, (\w+) in ipairs\(KEYS\)/g)) fromKeys.add(m[1] as string);
    // An included step takes its keys as parameters named …Key (its callers pass KEYS[..]).
    for (const m of body.matchAll(/local function \w+\(([^)]*)\)/g)) for (const p of (m[1] as string).split(',').map((x) => x.trim())) if (p.endsWith('Key')) fromKeys.add(p);
    for (const m of body.matchAll(/redis\.call\('(\w+)', ([^,)]+)/g)) {
      const key = (m[2] as string).trim();
      const ok = /^KEYS\[[^\]]+\]$/.test(key) || fromKeys.has(key);
      expect({ call: m[0], ok }).toEqual({ call: m[0], ok: true });
    }
  });
});
