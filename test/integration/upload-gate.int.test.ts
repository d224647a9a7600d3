import { caseIdFor } from '@takedown/shared';
import { eventually } from '../support/test-context';
import { offIn, publishFeatures } from '../support/features';
import { startPipeline, type Pipeline } from '../support/pipeline';

let p: Pipeline;

const basis = { text: 'Abuse of anonymous uploads', reference: 'TS-2026-04' };
/** On a known hash list in the pipeline's rules (known-csam-hash, auto_remove). */
const KNOWN = 'ab'.repeat(32);
const CLEAN = 'c0'.repeat(32);

beforeAll(async () => {
  p = await startPipeline('upload-gate');
  await publishFeatures(p, p.tokens.legal, { telegraph_media_upload: offIn('RU', { id: 'ru-off', description: 'Media uploads on the anonymous blogging tool', reason: 'uploads abused for drug ads', legalBasis: basis }) }, 'uploads off in RU');
});
afterAll(async () => {
  await p.stop();
});

const check = (body: unknown, token = p.tokens.service) => p.call('POST', '/v1/uploads/check', token, body);
const upload = (over: Record<string, unknown> = {}, media: Record<string, unknown> = {}) => ({
  feature: 'telegraph_media_upload',
  country: 'FR',
  accountId: 'acct-1',
  media: { sha256: CLEAN, size: 123_456, mime: 'image/jpeg', ...media },
  ...over,
});

describe('upload gate', () => {
  it('allows clean media where the feature is on (service and ingest roles), with a pdq hash', async () => {
    for (const token of [p.tokens.service, p.tokens.ingest]) {
      const r = await check(upload({}, { pdq: 'f'.repeat(64) }), token);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ allow: true, feature: { key: 'telegraph_media_upload', state: 'on', source: 'default' } });
    }
  });

  it('denies where the feature is off, naming the rule and its legal reference', async () => {
    const r = await check(upload({ country: 'RU' }));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      allow: false,
      reason: 'feature_off',
      feature: { key: 'telegraph_media_upload', state: 'off', on: false, source: 'rule', rule: { id: 'ru-off', reason: 'uploads abused for drug ads', legalReference: 'TS-2026-04' } },
    });
  });

  it('denies media on a hash list and opens a case as an auto_remove hit does (one case per media, a report per account)', async () => {
    const r = await check(upload({ accountId: 'acct-bad' }, { sha256: KNOWN.toUpperCase(), mime: 'video/mp4' }));
    expect(r.status).toBe(200);
    const caseId = caseIdFor(`upload.${KNOWN}`);
    expect(r.body).toMatchObject({ allow: false, reason: 'hash_match', ruleIds: ['known-csam-hash'], category: 'csam', caseId });
    const opened = await eventually(async () => p.deps.cases.get(caseId));
    expect(opened).toMatchObject({ contentId: `upload.${KNOWN}`, lane: 'csam', content: { type: 'media', mediaSha256: [KNOWN], authorId: 'acct-bad' } });
    expect(opened.ruleHits.map((h) => h.ruleId)).toContain('known-csam-hash');
    // auto_remove: taken down at once, a human still confirms.
    await eventually(async () => (await p.deps.cases.get(caseId))?.autoRemovedBy);

    // The same account again files nothing new; another account adds its report to the same case.
    expect((await check(upload({ accountId: 'acct-bad' }, { sha256: KNOWN }))).body.reportId).toBe(r.body.reportId);
    const other = await check(upload({ accountId: 'acct-other', country: 'RU' }, { sha256: KNOWN }));
    expect(other.body).toMatchObject({ allow: false, reason: 'hash_match', caseId });
    expect(other.body.reportId).not.toBe(r.body.reportId);
    await eventually(async () => ((await p.deps.cases.get(caseId))?.reportCount ?? 0) >= 2);
  });

  it('refuses bad input with a 400 naming the field, and an unknown feature with a 404', async () => {
    const cases: [unknown, number, string][] = [
      [upload({ country: 'XX' }), 400, '/country'],
      [upload({}, { mime: 'not a mime' }), 400, '/media/mime'],
      [upload({}, { mime: 'exe/x' }), 400, '/media/mime'],
      [upload({}, { sha256: 'abc' }), 400, '/media/sha256'],
      [upload({}, { pdq: 'xyz' }), 400, '/media/pdq'],
      [upload({}, { size: -1 }), 400, '/media/size'],
      [upload({ platform: 'palm' }), 400, '/platform'],
      [upload({ extra: 1 }), 400, '/extra'],
      [upload({ feature: 'Bad Key' }), 400, '/feature'],
      [{ ...upload(), media: undefined }, 400, '/media'],
      [upload({ feature: 'no_such_feature' }), 404, '/feature'],
    ];
    for (const [body, status, field] of cases) {
      const r = await check(body);
      expect({ field, status: r.status, named: r.body.error?.field }).toEqual({ field, status, named: field });
    }
  });

  it('admits only the ingest and service roles', async () => {
    for (const role of ['reporter', 'moderator', 'lead', 'legal', 'admin', 'search'] as const) {
      expect((await check(upload(), p.tokens[role])).status).toBe(403);
    }
  });
});
