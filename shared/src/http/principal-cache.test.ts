import { RateLimitedError } from '../errors/takedown-error';
import { FailedAuthLimiter } from '../auth/failed-auth-limiter';
import type { Principal } from '../auth/roles';
import { hashToken, type TokenStore } from '../auth/token-store';
import { PrincipalCache } from './es-auth';

/** A token directory in memory: the cache's own logic is under test here, not Redis (the integration suites cover that path). */
function directory(known: string[]) {
  const lookups: string[] = [];
  const principal = (t: string): Principal => ({ actorId: t, name: t, tokenId: t, tokenName: t, role: 'search', grants: {}, formerActors: [] });
  // The cache looks tokens up by hash; every token these tests present is named here so the lookup can say which.
  const byHash = new Map(['a', 'b', 'c', 'd', 'x', 'good', ...Array.from({ length: 5 }, (_, i) => `guess-${i}`)].map((t) => [hashToken(t), t]));
  const store = {
    async authenticateHash(hash: string) {
      const token = byHash.get(hash) ?? hash;
      lookups.push(token);
      return known.includes(token) ? principal(token) : undefined;
    },
  } as unknown as TokenStore;
  return { store, lookups, known };
}

describe('PrincipalCache', () => {
  it('serves a known token from memory within its TTL, and looks it up again after', async () => {
    const d = directory(['a']);
    const cache = new PrincipalCache(d.store, new FailedAuthLimiter(100), 50, 10);
    expect((await cache.get('a'))?.actorId).toBe('a');
    expect((await cache.get('a'))?.actorId).toBe('a');
    expect(d.lookups).toEqual(['a']);
    await new Promise((r) => setTimeout(r, 60));
    await cache.get('a');
    expect(d.lookups).toEqual(['a', 'a']);
  });

  it('remembers an unknown token only briefly', async () => {
    const d = directory([]);
    const cache = new PrincipalCache(d.store, new FailedAuthLimiter(100), 10_000, 20);
    expect(await cache.get('x')).toBeUndefined();
    expect(await cache.get('x')).toBeUndefined();
    expect(d.lookups).toEqual(['x']);
    d.known.push('x');
    await new Promise((r) => setTimeout(r, 30));
    expect((await cache.get('x'))?.actorId).toBe('x');
  });

  it('evicts the least recently used entry, not the oldest inserted and not everything', async () => {
    const d = directory(['a', 'b', 'c', 'd']);
    const cache = new PrincipalCache(d.store, new FailedAuthLimiter(100), 60_000, 60_000, 3);
    await cache.get('a');
    await cache.get('b');
    await cache.get('c');
    await cache.get('a'); // a is now the most recently used
    await cache.get('d'); // evicts b
    expect(cache.size).toBe(3);
    d.lookups.length = 0;
    await cache.get('a');
    await cache.get('c');
    await cache.get('d');
    expect(d.lookups).toEqual([]);
    await cache.get('b');
    expect(d.lookups).toEqual(['b']);
  });

  it('refuses an address after too many failed lookups, without asking the store, while cached tokens keep working', async () => {
    const d = directory(['good']);
    const cache = new PrincipalCache(d.store, new FailedAuthLimiter(3), 60_000, 60_000);
    await cache.get('good', '10.0.0.9');
    for (let i = 0; i < 3; i++) expect(await cache.get(`guess-${i}`, '10.0.0.9')).toBeUndefined();
    d.lookups.length = 0;
    await expect(cache.get('guess-3', '10.0.0.9')).rejects.toBeInstanceOf(RateLimitedError);
    expect(d.lookups).toEqual([]);
    expect((await cache.get('good', '10.0.0.9'))?.actorId).toBe('good');
    // Another address is not held back.
    expect(await cache.get('guess-4', '10.0.0.10')).toBeUndefined();
  });
});
