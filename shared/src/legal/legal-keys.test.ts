import { createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { legalEnvVars } from '../config/env-spec';
import { loadConfig } from '../config/load-config';
import { ConfigError } from '../errors/takedown-error';
import type { LegalConfig } from './legal-config';
import { DEV_KEY_FILES, ensureDevLegalKeys, legalKeys } from './legal-keys';
import { generateEncryptionKey } from './package-encryption';
import { generateSigningKey, keyIdOf, parsePublicKey } from './signing-key';

describe('legal config and keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'takedown-keys-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('defaults the subscriber indices and leaves the keys unset', () => {
    expect(loadConfig<LegalConfig>({}, legalEnvVars).legal).toEqual({ accountsIndex: 'platform-accounts', signInsIndex: 'platform-signins' });
    expect(loadConfig<LegalConfig>({ TAKEDOWN_SIGNINS_INDEX: 'platform-signins-*' }, legalEnvVars).legal.signInsIndex).toBe('platform-signins-*');
  });

  it('refuses a malformed encryption key at boot, naming the variable and not the value', () => {
    const value = 'c2hvcnQ=';
    expect(() => loadConfig({ TAKEDOWN_LEGAL_ENCRYPTION_KEY: value }, legalEnvVars)).toThrow(ConfigError);
    expect(() => loadConfig({ TAKEDOWN_LEGAL_ENCRYPTION_KEY: value }, legalEnvVars)).toThrow(/^TAKEDOWN_LEGAL_ENCRYPTION_KEY /);
    expect(() => loadConfig({ TAKEDOWN_LEGAL_ENCRYPTION_KEY: value }, legalEnvVars)).not.toThrow(new RegExp(value));
  });

  it('uses the configured keys; without them (production) names the missing variable', () => {
    const signing = generateSigningKey();
    const encryption = generateEncryptionKey();
    const legal = { accountsIndex: 'a', signInsIndex: 's', signingKey: signing.export({ type: 'pkcs8', format: 'pem' }).toString(), encryptionKey: encryption };
    const keys = legalKeys(legal);
    expect(keyIdOf(keys.signingKey)).toBe(keyIdOf(signing));
    expect(keys.encryptionKey.toString('base64')).toBe(encryption);
    expect(() => legalKeys({ ...legal, signingKey: undefined })).toThrow(expect.objectContaining({ field: 'TAKEDOWN_LEGAL_SIGNING_KEY' }));
    expect(() => legalKeys({ ...legal, encryptionKey: undefined })).toThrow(expect.objectContaining({ field: 'TAKEDOWN_LEGAL_ENCRYPTION_KEY' }));
  });

  it('makes development keys once, secrets readable by the owner only, with the public key beside them', () => {
    const first = ensureDevLegalKeys(path.join(dir, 'legal-keys'));
    const again = ensureDevLegalKeys(path.join(dir, 'legal-keys'));
    expect(again).toEqual(first);
    const mode = (f: string) => fs.statSync(path.join(dir, 'legal-keys', f)).mode & 0o777;
    expect([mode(DEV_KEY_FILES.signingKey), mode(DEV_KEY_FILES.encryptionKey)]).toEqual([0o600, 0o600]);
    const keys = legalKeys({ accountsIndex: 'a', signInsIndex: 's' }, first);
    expect(keyIdOf(parsePublicKey(fs.readFileSync(first.publicKeyFile, 'utf8')))).toBe(keyIdOf(createPublicKey(keys.signingKey)));
    // A configured key wins over the development one.
    const configured = generateEncryptionKey();
    expect(legalKeys({ accountsIndex: 'a', signInsIndex: 's', encryptionKey: configured }, first).encryptionKey.toString('base64')).toBe(configured);
    expect(fs.readdirSync(path.join(dir, 'legal-keys')).sort()).toEqual(Object.values(DEV_KEY_FILES).sort());
  });
});
