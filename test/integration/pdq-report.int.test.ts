import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { caseIdFor } from '@takedown/shared';
import { parsePdqList, pdqHexDistance } from '@takedown/search-rules';
import { pdqOfImage } from '@takedown/moderation-api';
import { Client } from '@elastic/elasticsearch';
import type { ContentDocument } from '@takedown/shared';
import { eventually } from '../support/test-context';
import { startIngest, type IngestService } from '../support/ingest-service';
import { publishFeatures } from '../support/features';
import { PIPELINE_RULES, startPipeline, type Pipeline } from '../support/pipeline';

const FIXTURES = path.resolve(__dirname, '../fixtures/pdq');
const original = fs.readFileSync(path.join(FIXTURES, 'bridge-1-original.jpg'));

let p: Pipeline;
let ingest: IngestService;
let writer: Client;
let listHash: string;

beforeAll(async () => {
  // The list entry: the original image's hash, imported as a hash list would be (hash,quality).
  const { pdq, quality } = await pdqOfImage(original);
  listHash = pdq;
  const listRules = parsePdqList(`hash,quality\n${pdq},${quality}\n`, {
    list: { name: 'test-list', source: 'pdq-report test' },
    category: 'csam',
    action: 'auto_remove',
    createdBy: 'lead-1',
    createdAt: new Date().toISOString(),
  });
  p = await startPipeline('pdq-report', { rules: [...PIPELINE_RULES, ...listRules] });
  ingest = await startIngest(p.ctx.config);
  writer = new Client({ node: ingest.url, auth: { bearer: p.tokens.ingest } });
});
afterAll(async () => {
  await writer?.close();
  await ingest?.stop();
  await p?.stop();
});

const caseOf = (contentId: string) => eventually(() => p.deps.cases.get(caseIdFor(contentId)));

describe('PDQ hash lists, end to end', () => {
  it('a report carrying the PDQ of a resized, recompressed copy matches the list entry and is taken down', async () => {
    // Re-encoded as a platform would: smaller, lower JPEG quality, PNG round trip.
    const copy = await sharp(await sharp(original).resize(640).png().toBuffer()).jpeg({ quality: 60 }).toBuffer();
    expect(copy.equals(original)).toBe(false);
    const hashed = await p.call('POST', '/v1/media/pdq', p.tokens.service, { image: copy.toString('base64') });
    expect(hashed.status).toBe(200);
    expect(hashed.body.pdq).toMatch(/^[0-9a-f]{64}$/);
    const distance = pdqHexDistance(hashed.body.pdq, listHash);
    expect(distance).toBeGreaterThan(0);
    expect(distance).toBeLessThanOrEqual(31);

    const r = await p.call('POST', '/v1/reports', p.tokens.detector, {
      content: { id: 'pdq-media-1', type: 'media', mediaPdq: [hashed.body.pdq], authorId: 'author-9' },
      reporter: { id: 'hash-scanner' },
      reason: 'other',
    });
    expect(r.status).toBe(202);
    const c = await caseOf('pdq-media-1');
    expect(c).toMatchObject({ lane: 'csam', category: 'csam' });
    expect(c.autoRemovedBy).toMatch(/^d_/);
    expect(c.ruleHits.map((h: { ruleId: string }) => h.ruleId)).toContain(`pdq.test-list.${listHash}`);
  });

  it('upload gate: media whose PDQ is within the list threshold is refused (feature on) and opens its case', async () => {
    const copy = await sharp(original).resize(560).jpeg({ quality: 55 }).toBuffer();
    const { pdq } = await pdqOfImage(copy);
    expect(pdqHexDistance(pdq, listHash)).toBeLessThanOrEqual(31);
    await publishFeatures(p, p.tokens.legal, { telegraph_media_upload: { description: 'Media uploads', default: 'on', failMode: 'closed', rules: [] } }, 'uploads on');
    const sha256 = 'de'.repeat(32); // on no list: only the PDQ can match
    const upload = (media: Record<string, unknown>) => p.call('POST', '/v1/uploads/check', p.tokens.service, { feature: 'telegraph_media_upload', country: 'FR', accountId: 'acct-pdq', media: { sha256, size: copy.length, mime: 'image/jpeg', ...media } });
    const clean = await upload({});
    expect(clean.body).toMatchObject({ allow: true });
    const r = await upload({ pdq: pdq.toUpperCase() });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ allow: false, reason: 'hash_match', ruleIds: [`pdq.test-list.${listHash}`], category: 'csam', caseId: caseIdFor(`upload.${sha256}`) });
    const c = await caseOf(`upload.${sha256}`);
    expect(c).toMatchObject({ lane: 'csam', content: { type: 'media', mediaPdq: [pdq] } });
  });

  it('ingest: a document whose media carries the PDQ of a re-encoded copy is stored removed', async () => {
    // Shrunk and recompressed; PDQ may well come out identical, which is the point.
    const copy = await sharp(original).resize(480).jpeg({ quality: 40 }).toBuffer();
    const { pdq } = await pdqOfImage(copy);
    expect(pdqHexDistance(pdq, listHash)).toBeLessThanOrEqual(31);
    const index = p.ctx.config.contentIndex;
    await writer.index({ index, id: 'pdq-doc-1', document: { id: 'pdq-doc-1', type: 'post', text: 'holiday photos', authorId: 'a1', createdAt: '2026-11-20T10:00:00.000Z', media: [{ kind: 'image', pdq: pdq.toUpperCase() }] } });
    const doc = (await p.ctx.es.get<ContentDocument>({ index, id: 'pdq-doc-1' }))._source as ContentDocument;
    expect(doc.moderation).toMatchObject({ state: 'removed', ruleHits: [`pdq.test-list.${listHash}`] });
    const bad = await writer.index({ index, id: 'pdq-doc-2', document: { id: 'pdq-doc-2', type: 'post', text: 'x', authorId: 'a1', 'media.pdq': 'not-a-hash' } }).catch((err: { meta?: { statusCode?: number } }) => err);
    expect((bad as { meta?: { statusCode?: number } }).meta?.statusCode).toBe(400);
  });

  it('an unrelated image does not match', async () => {
    const other = await pdqOfImage(fs.readFileSync(path.join(FIXTURES, 'q1050.jpg')));
    await p.call('POST', '/v1/reports', p.tokens.detector, {
      content: { id: 'pdq-media-2', type: 'media', mediaPdq: [other.pdq], authorId: 'author-9' },
      reporter: { id: 'hash-scanner' },
      reason: 'other',
    });
    const c = await caseOf('pdq-media-2');
    expect(c.autoRemovedBy).toBeUndefined();
    expect(c.ruleHits).toEqual([]);
  });

  it('refuses a malformed PDQ hash naming the field, and an image it cannot decode', async () => {
    const bad = await p.call('POST', '/v1/reports', p.tokens.detector, { content: { id: 'pdq-bad', type: 'media', mediaPdq: ['xyz'], authorId: 'a' }, reason: 'other' });
    expect([bad.status, bad.body.error.field]).toEqual([400, '/content/mediaPdq/0']);
    const notImage = await p.call('POST', '/v1/media/pdq', p.tokens.lead, { image: Buffer.from('not an image at all').toString('base64') });
    expect([notImage.status, notImage.body.error.field, notImage.body.error.code]).toEqual([400, '/image', 'image_unreadable']);
  });

  it('imports a PDQ list through the rules API, refusing low-quality rows by line and field', async () => {
    const ok = await p.call('POST', '/v1/rules/draft/import', p.tokens.lead, {
      format: 'pdq-list',
      content: `${listHash}\t100\n`,
      list: { name: 'api-list', source: 'test', threshold: 20, category: 'csam', action: 'auto_remove' },
    });
    expect([ok.status, ok.body.imported]).toEqual([200, 1]);
    const low = await p.call('POST', '/v1/rules/draft/import', p.tokens.lead, {
      format: 'pdq-list',
      content: `hash,quality\n${listHash},100\n${'0'.repeat(64)},12\n`,
      list: { name: 'api-list', source: 'test', category: 'csam', action: 'auto_remove' },
    });
    expect(low.status).toBe(400);
    expect(low.body.error.details.problems).toEqual([{ line: 3, field: 'quality', message: expect.stringMatching(/below 50/) }]);
    const noList = await p.call('POST', '/v1/rules/draft/import', p.tokens.lead, { format: 'pdq-list', content: `${listHash}\n` });
    expect([noList.status, noList.body.error.field]).toEqual([400, '/list']);
  });
});
