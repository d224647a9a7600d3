import fs from 'node:fs';
import path from 'node:path';
import { actionsEnvVars, apiEnvVars, backfillEnvVars, coreEnvVars, dsaSubmitterEnvVars, ingestEnvVars, legalEnvVars, legalWorkerEnvVars, searchEnvVars, triageEnvVars } from '@takedown/shared';

const root = path.resolve(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const documented = new Set([...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]));

describe('README configuration tables', () => {
  it('document every variable the processes read', () => {
    const all = [...coreEnvVars, ...triageEnvVars, ...actionsEnvVars, ...apiEnvVars, ...searchEnvVars, ...ingestEnvVars, ...backfillEnvVars, ...legalEnvVars, ...legalWorkerEnvVars, ...dsaSubmitterEnvVars];
    const missing = [...new Set(all.map((s) => s.name))].filter((n) => !documented.has(n));
    expect(missing).toEqual([]);
  });

  it('document every variable the scripts read', () => {
    const scripts = fs.readdirSync(path.join(root, 'scripts')).filter((f) => f.endsWith('.mjs'));
    const read = new Set<string>();
    for (const f of scripts) {
      const src = fs.readFileSync(path.join(root, 'scripts', f), 'utf8');
      for (const m of src.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)) read.add(m[1] as string);
    }
    expect(read.size).toBeGreaterThan(3);
    expect([...read].filter((n) => !documented.has(n))).toEqual([]);
  });

  it('keeps the quick start commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});
