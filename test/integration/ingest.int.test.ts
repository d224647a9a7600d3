import { Client, errors } from '@elastic/elasticsearch';
import { RulesetStore, caseIdFor, rulesetKeys, type ContentDocument } from '@takedown/shared';
import { testing, type Rule } from '@takedown/search-rules';
import { eventually } from '../support/test-context';
import { claimCase, startPipeline, type Pipeline } from '../support/pipeline';
import { startIngest, type IngestService } from '../support/ingest-service';
import { ingestBatch, resolveItem } from '@takedown/ingest-service';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';

const HASH = 'ab'.repeat(32);
const RULES: Rule[] = [
  testing.rule('sale', 'selling cocaine', { scope: ['content'], action: 'flag_for_review', untilReviewed: 'exclude' }),
  testing.rule('menu', 'dm for menu', { scope: ['content'], action: 'flag_for_review' }),
  testing.rule('spam', 'cheap followers', { scope: ['content'], action: 'exclude', category: 'fraud' }),
  testing.rule('promo', 'limited offer', { scope: ['content'], action: 'demote', category: 'fraud' }),
  testing.rule('known-csam-hash', HASH, { kind: 'sha256', scope: ['content'], action: 'auto_remove', category: 'csam' }),
  testing.rule('cocaine', 'cocaine', { scope: ['query'], action: 'block_query' }),
  testing.rule('trial', 'grey market', { scope: ['content'], action: 'exclude', shadow: true }),
];

let p: Pipeline;
let ingest: IngestService;
let proxy: SearchProxy;
let writer: Client;
let search: Client;
let index: string;

beforeAll(async () => {
  p = await startPipeline('ingest', { rules: RULES });
  index = p.ctx.config.contentIndex;
  ingest = await startIngest(p.ctx.config, { maxDocBytes: 64 * 1024 });
  proxy = await startSearchProxy(p.ctx.config);
  // Unmodified 8.x clients: one pointed at ingest for writes, one at the search service.
  writer = new Client({ node: ingest.url, auth: { bearer: p.tokens.ingest } });
  search = new Client({ node: proxy.url, auth: { bearer: p.tokens.search } });
});
afterAll(async () => {
  await writer.close();
  await search.close();
  await proxy.stop();
  await ingest.stop();
  await p.stop();
});

const post = (id: string, text: string, extra: Record<string, unknown> = {}) => ({ id, type: 'post', text, authorId: `author-${id}`, lang: 'en', createdAt: '2026-11-20T10:00:00.000Z', ...extra });
const stored = async (id: string) => (await p.ctx.es.get<ContentDocument>({ index, id }))._source as ContentDocument;
const visibleIds = async (text: string) => {
  await p.ctx.es.indices.refresh({ index });
  const res = await search.search<ContentDocument>({ index, query: { match: { text } }, size: 100 });
  return res.hits.hits.map((h) => h._id);
};
const caseOf = (contentId: string) => eventually(() => p.deps.cases.get(caseIdFor(contentId)));

describe('ingest: an unmodified Elasticsearch client writes through Takedown', () => {
  it('index, create, update, bulk and helpers.bulk: flagged posts never reach search results, clean ones do', async () => {
    await writer.index({ index, id: 'clean-1', document: post('clean-1', 'Bakery sale on saturday, fresh bread') });
    await writer.index({ index, id: 'sale-1', document: post('sale-1', 'Bakery: S3LLING  c0caine tonight') });
    const created = await writer.create({ index, id: 'csam-1', document: post('csam-1', 'bakery photos', { media: [{ sha256: HASH, kind: 'image' }] }) });
    expect(created.result).toBe('created');
    await writer.index({ index, id: 'clean-2', document: post('clean-2', 'Bakery opening hours changed') });
    const updated = await writer.update({ index, id: 'clean-2', doc: { text: 'Bakery: cheap followers for sale' } });
    expect(updated.result).toBe('updated');
    await writer.index({ index, id: 'promo-1', document: post('promo-1', 'Bakery bread, limited offer, bakery bread') });
    const bulk = await writer.bulk({
      operations: [
        { index: { _index: index, _id: 'bulk-clean' } },
        post('bulk-clean', 'Bakery bread for the school fair'),
        { create: { _index: index, _id: 'bulk-menu' } },
        post('bulk-menu', 'Bakery treats, dm for menu'),
        { update: { _index: index, _id: 'clean-1' } },
        { doc: { lang: 'de' } },
        { delete: { _index: index, _id: 'clean-2' } },
      ],
    });
    expect(bulk.errors).toBe(false);
    expect(bulk.items.map((i) => Object.keys(i)[0])).toEqual(['index', 'create', 'update', 'delete']);

    const docs = Array.from({ length: 300 }, (_, i) => post(`hb-${i}`, i % 10 === 0 ? `pantry item ${i}, selling cocaine` : `pantry item ${i}, sourdough`));
    const helper = await writer.helpers.bulk({ datasource: docs, onDocument: (d) => ({ index: { _index: index, _id: d.id } }) });
    expect([helper.total, helper.successful, helper.failed]).toEqual([300, 300, 0]);

    expect(await stored('sale-1')).toMatchObject({ moderation: { state: 'excluded', ruleHits: ['sale'], scannedVersion: 1, category: 'drugs' } });
    expect((await stored('sale-1')).moderation?.normalizedText).toContain('cocaine');
    expect(await stored('bulk-menu')).toMatchObject({ moderation: { state: 'suspected', ruleHits: ['menu'] } });
    expect(await stored('promo-1')).toMatchObject({ moderation: { state: 'suspected', ruleHits: ['promo'] } });
    expect(await stored('clean-1')).toMatchObject({ lang: 'de', moderation: { state: 'none', ruleHits: [] } });

    const found = await visibleIds('bakery');
    expect(found).toEqual(expect.arrayContaining(['clean-1', 'bulk-clean', 'bulk-menu', 'promo-1']));
    for (const hidden of ['sale-1', 'csam-1', 'clean-2']) expect(found).not.toContain(hidden);
    const pantry = await visibleIds('pantry');
    expect(pantry).toHaveLength(100); // the search's page; 270 clean ones match
    expect(pantry.filter((id) => Number(id!.slice(3)) % 10 === 0)).toEqual([]);
    expect((await search.count({ index, query: { match: { text: 'pantry' } } })).count).toBe(270);
    // Demoted posts rank below clean ones that match as well.
    expect(found.indexOf('promo-1')).toBeGreaterThan(found.indexOf('bulk-clean'));
  });

  it('opens a case for posts that want a human, and takes known abuse media down with a decision at once', async () => {
    const sale = await caseOf('sale-1');
    expect(sale).toMatchObject({ status: 'open', lane: 'default', category: 'drugs', reporterTypes: ['automated'] });
    expect(sale.content).toMatchObject({ text: 'Bakery: S3LLING  c0caine tonight', source: 'platform' });
    expect(sale.ruleHits.map((h) => h.ruleId)).toEqual(['sale']);
    const [r] = await p.deps.cases.reports(sale.id);
    expect(r).toMatchObject({ reporter: { type: 'automated' }, filedBy: { tokenId: 'system' }, ruleIds: ['sale'] });
    expect((await caseOf('bulk-menu')).lane).toBe('default');
    // exclude and demote rules hide or demote without a case.
    expect(await p.deps.cases.get(caseIdFor('clean-2'))).toBeUndefined();

    const csam = await caseOf('csam-1');
    expect(csam).toMatchObject({ lane: 'csam', category: 'csam' });
    expect(csam.autoRemovedBy).toMatch(/^d_/);
    const doc = await eventually(async () => {
      const d = await stored('csam-1');
      return d.moderation?.decisionId === csam.autoRemovedBy ? d : undefined;
    });
    expect(doc.moderation).toMatchObject({ state: 'removed', category: 'csam' });
    // Writing the same post again files nothing new: one report per post and rule set.
    await writer.index({ index, id: 'sale-1', document: post('sale-1', 'Bakery: S3LLING  c0caine tonight') });
    await writer.index({ index, id: 'bulk-menu', document: post('bulk-menu', 'Bakery treats, dm for menu, and selling cocaine') });
    const menu = await eventually(async () => {
      const c = await p.deps.cases.get(caseIdFor('bulk-menu'));
      return c && c.reportCount === 2 ? c : undefined;
    });
    expect(menu.ruleHits.map((h) => h.ruleId).sort()).toEqual(['menu', 'sale']);
    expect((await p.deps.cases.get(sale.id))!.reportCount).toBe(1);
  });

  it('keeps moderation through a full re-index; moderation fields sent by the indexer are ignored', async () => {
    // A moderator removes a clean post; a moderator keeps a flagged one.
    const removeId = 'keep-state-removed';
    const keptId = 'keep-state-kept';
    await writer.index({ index, id: removeId, document: post(removeId, 'Patisserie cake, nothing wrong here') });
    await writer.index({ index, id: keptId, document: post(keptId, 'Patisserie news: police stop man selling cocaine') });
    await p.call('POST', '/v1/reports', p.tokens.reporter, { content: { id: removeId, type: 'post', authorId: 'x' }, reason: 'fraud' });
    const decide = async (contentId: string, action: 'remove' | 'keep') => {
      const claimed = await claimCase(p, contentId);
      const d = await p.call('POST', `/v1/review/${claimed.case.id}/decision`, p.tokens.moderator, { leaseToken: claimed.lease.token, action, category: 'drugs', legalGround: 'Test decision' });
      expect(d.status).toBe(201);
      return d.body.decisionId as string;
    };
    const removed = await decide(removeId, 'remove');
    const kept = await decide(keptId, 'keep');
    await eventually(async () => (await stored(removeId)).moderation?.decisionId === removed && (await stored(keptId)).moderation?.decisionId === kept);

    // The platform re-indexes both whole, one of them claiming it is clean.
    await writer.index({ index, id: removeId, document: { ...post(removeId, 'Patisserie cake, edited'), moderation: { state: 'none', decisionId: 'forged' } } });
    await writer.bulk({ operations: [{ index: { _index: index, _id: keptId } }, post(keptId, 'Patisserie news: police stop man selling cocaine')] });
    expect((await stored(removeId)).moderation).toMatchObject({ state: 'removed', decisionId: removed });
    expect((await stored(removeId)).text).toBe('Patisserie cake, edited');
    // A moderator's keep outranks the rule that still hits the words the moderator reviewed.
    expect((await stored(keptId)).moderation).toMatchObject({ state: 'none', decisionId: kept, ruleHits: ['sale'] });
    const found = await visibleIds('patisserie');
    expect(found).not.toContain(removeId);
    expect(found).toContain(keptId);

    // Deleted and written again (or into a new index): the decision comes back from the case store.
    await writer.delete({ index, id: removeId });
    await writer.index({ index, id: removeId, document: post(removeId, 'Patisserie cake, back again') });
    expect((await stored(removeId)).moderation).toMatchObject({ state: 'removed', decisionId: removed });
    expect(await visibleIds('patisserie')).not.toContain(removeId);
  });

  it('replaces the placeholder a decision left for content not yet indexed: a create succeeds, and the decision stays', async () => {
    // The platform's own hash scanner reports media the index does not hold yet: removed at once, a placeholder stored.
    const r = await p.call('POST', '/v1/reports', p.tokens.detector, { content: { id: 'early-1', type: 'media', mediaSha256: [HASH], authorId: 'a9' }, reason: 'other' });
    expect(r.status).toBe(202);
    const c = await caseOf('early-1');
    await eventually(async () => (await p.ctx.es.exists({ index, id: 'early-1' })) && (await stored('early-1')).moderation?.decisionId === c.autoRemovedBy);
    expect((await stored('early-1')).moderation?.placeholder).toBe(true);
    // Then the platform's indexer creates the post.
    const created = await writer.create({ index, id: 'early-1', document: post('early-1', 'Bakery media post', { media: [{ sha256: HASH, kind: 'image' }] }) });
    expect(created.result).toBe('created');
    const doc = await stored('early-1');
    expect(doc.text).toBe('Bakery media post');
    expect(doc.moderation).toMatchObject({ state: 'removed', decisionId: c.autoRemovedBy, ruleHits: ['known-csam-hash'] });
    expect(doc.moderation?.placeholder).toBeUndefined();
    expect(await visibleIds('bakery media')).not.toContain('early-1');
  });

  it('never overwrites a decision applied between its read and its write', async () => {
    const id = 'race-1';
    await writer.index({ index, id, document: post(id, 'Bakery race test') });
    // The real Elasticsearch, with a decision written (as the actions worker
    // does) right after ingest has read the post and before it writes.
    let interleaved = false;
    const es = new Proxy(ingest.deps.es, {
      get(target, key, receiver) {
        if (key !== 'mget') return Reflect.get(target, key, receiver);
        return async (...args: Parameters<typeof target.mget>) => {
          const read = await target.mget(...args);
          if (!interleaved) {
            interleaved = true;
            await p.ctx.es.update({ index, id, doc: { moderation: { state: 'removed', decisionId: 'd_race', category: 'fraud' } } });
          }
          return read;
        };
      },
    });
    const entry = { kind: 'item' as const, op: 'index' as const, meta: { _index: index, _id: id }, source: post(id, 'Bakery race test, re-indexed'), sourceBytes: 0, line: 1 };
    const out = await ingestBatch({ ...ingest.deps, es }, [resolveItem(entry, index, index)]);
    expect(interleaved).toBe(true);
    expect(out.items[0]!['index']).toMatchObject({ status: 200, result: 'updated' });
    expect((await stored(id)).moderation).toMatchObject({ state: 'removed', decisionId: 'd_race' });
    expect((await stored(id)).text).toBe('Bakery race test, re-indexed');
  });

  it('scans again what it stored while the rules changed under it, so no post keeps a verdict from rules already replaced', async () => {
    const id = 'midflight-1';
    const store = new RulesetStore(p.ctx.redis, rulesetKeys(p.ctx.config.queuePrefix));
    // The real Elasticsearch; a lead publishes a rule hiding the post while its bulk write is in flight.
    let published = false;
    const es = new Proxy(ingest.deps.es, {
      get(target, key, receiver) {
        if (key !== 'bulk') return Reflect.get(target, key, receiver);
        return async (...args: Parameters<typeof target.bulk>) => {
          const out = await target.bulk(...args);
          if (!published) {
            published = true;
            const next = await store.publish([...RULES, testing.rule('midflight', 'zebra striped loaves', { scope: ['content'], action: 'exclude' })], 'lead:test');
            await eventually(async () => ingest.deps.rules.version === next.version);
          }
          return out;
        };
      },
    });
    const entry = { kind: 'item' as const, op: 'index' as const, meta: { _index: index, _id: id }, source: post(id, 'Bakery: zebra striped loaves today'), sourceBytes: 100, line: 1 };
    const out = await ingestBatch({ ...ingest.deps, es }, [resolveItem(entry, index, index)]);
    expect(out.items[0]!['index']).toMatchObject({ status: 201, result: 'created' });
    expect((await stored(id)).moderation).toMatchObject({ state: 'excluded', ruleHits: ['midflight'], scannedVersion: ingest.deps.rules.version });
    // Back to the test's rules for the other tests.
    await store.publish(RULES, 'lead:test');
    await eventually(async () => ingest.deps.rules.current().compiled.byId.has('midflight') === false);
  });

  it('answers every one of many concurrent writes of one post, and a removal decided meanwhile stands', async () => {
    const id = 'race-2';
    await writer.index({ index, id, document: post(id, 'Bakery race two') });
    await p.call('POST', '/v1/reports', p.tokens.reporter, { content: { id, type: 'post', authorId: 'x' }, reason: 'fraud' });
    await caseOf(id);
    const claim = await claimCase(p, id, p.tokens.moderator2);
    const writes = Array.from({ length: 40 }, (_, i) => writer.index({ index, id, document: post(id, `Bakery race two ${i}`) }));
    const decision = await p.call('POST', `/v1/review/${claim.case.id}/decision`, p.tokens.moderator2, { leaseToken: claim.lease.token, action: 'remove', category: 'fraud', legalGround: 'Test decision' });
    expect(decision.status).toBe(201);
    const results = await Promise.all(writes);
    expect(results.every((r) => r.result === 'updated')).toBe(true);
    await eventually(async () => (await p.deps.cases.decision(caseIdFor(id), decision.body.decisionId))?.appliedAt);
    expect((await stored(id)).moderation).toMatchObject({ state: 'removed', decisionId: decision.body.decisionId });
  });

  it('answers like Elasticsearch for conflicts and missing documents, and refuses what could slip past the scan', async () => {
    const err = async (fn: () => Promise<unknown>) => {
      const e = await fn().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(errors.ResponseError);
      const r = e as errors.ResponseError;
      return { status: r.statusCode, type: (r.body as { error: { type: string } }).error.type };
    };
    expect(await err(() => writer.create({ index, id: 'bulk-clean', document: post('bulk-clean', 'again') }))).toEqual({ status: 409, type: 'version_conflict_engine_exception' });
    expect(await err(() => writer.update({ index, id: 'nope', doc: { text: 'x' } }))).toEqual({ status: 404, type: 'document_missing_exception' });
    const upserted = await writer.update({ index, id: 'upsert-1', doc: post('upsert-1', 'Bakery: cheap followers'), doc_as_upsert: true });
    expect(upserted.result).toBe('created');
    expect((await stored('upsert-1')).moderation?.state).toBe('excluded');
    const noop = await writer.update({ index, id: 'upsert-1', doc: { lang: 'en' } });
    expect(noop.result).toBe('noop');
    // Optimistic concurrency from the client works as in Elasticsearch.
    const cur = await p.ctx.es.get({ index, id: 'upsert-1' });
    await writer.index({ index, id: 'upsert-1', document: post('upsert-1', 'Bakery v2'), if_seq_no: cur._seq_no, if_primary_term: cur._primary_term });
    expect(await err(() => writer.index({ index, id: 'upsert-1', document: post('upsert-1', 'Bakery v3'), if_seq_no: cur._seq_no, if_primary_term: cur._primary_term }))).toEqual({ status: 409, type: 'version_conflict_engine_exception' });

    expect(await err(() => writer.update({ index, id: 'upsert-1', script: { source: 'ctx._source.moderation.state = "none"' } }))).toEqual({ status: 400, type: 'takedown_parameter_refused_exception' });
    expect(await err(() => writer.index({ index, id: 'r1', document: post('r1', 'x'), routing: 'elsewhere' }))).toEqual({ status: 400, type: 'takedown_parameter_refused_exception' });
    expect(await err(() => writer.index({ index, id: 'r1', document: post('r1', 'x'), pipeline: 'strip-moderation' }))).toEqual({ status: 400, type: 'takedown_parameter_refused_exception' });
    expect(await err(() => writer.index({ index, document: post('r1', 'x') }))).toEqual({ status: 400, type: 'action_request_validation_exception' });
    expect(await err(() => writer.index({ index: `${p.ctx.prefix}-other`, id: 'r1', document: post('r1', 'x') }))).toEqual({ status: 403, type: 'takedown_index_refused_exception' });
    // Reads and administration are not ingest's: refused, never passed through.
    expect(await err(() => writer.get({ index, id: 'sale-1' }))).toEqual({ status: 400, type: 'takedown_endpoint_refused_exception' });
    expect(await err(() => writer.search({ index, query: { match_all: {} } }))).toEqual({ status: 400, type: 'takedown_endpoint_refused_exception' });
    expect(await err(() => writer.indices.delete({ index }))).toEqual({ status: 400, type: 'takedown_endpoint_refused_exception' });
    expect(await err(() => writer.deleteByQuery({ index, query: { match_all: {} } }))).toEqual({ status: 400, type: 'takedown_endpoint_refused_exception' });
    // Only the ingest role writes.
    const searchRole = new Client({ node: ingest.url, auth: { bearer: p.tokens.search } });
    expect(await err(() => searchRole.index({ index, id: 'r1', document: post('r1', 'x') }))).toEqual({ status: 403, type: 'security_exception' });
    await searchRole.close();
    const anonymous = new Client({ node: ingest.url });
    expect(await err(() => anonymous.index({ index, id: 'r1', document: post('r1', 'x') }))).toEqual({ status: 401, type: 'security_exception' });
    await anonymous.close();
  });
});

describe('ingest: what an attacker or a careless indexer tried', () => {
  it('scans a hash however the document spells it: a dotted key, one object, upper case', async () => {
    const spellings: [string, Record<string, unknown>][] = [
      ['dot-media', { 'media.sha256': HASH }],
      ['dot-media-list', { media: [{ kind: 'image' }], 'media.sha256': [HASH.toUpperCase()] }],
      ['one-object', { media: { sha256: HASH, kind: 'image' } }],
      ['upper-case', { media: [{ sha256: HASH.toUpperCase(), kind: 'image' }] }],
    ];
    for (const [id, extra] of spellings) await writer.index({ index, id, document: { ...post(id, 'holiday photos'), ...extra } });
    await writer.update({ index, id: 'dot-update', doc: { ...post('dot-update', 'holiday photos'), 'media.sha256': HASH }, doc_as_upsert: true });
    for (const id of [...spellings.map(([x]) => x), 'dot-update']) {
      expect({ id, m: (await stored(id)).moderation }).toMatchObject({ id, m: { state: 'removed', ruleHits: ['known-csam-hash'] } });
    }
    await eventually(() => p.deps.cases.get(caseIdFor('dot-media')));
    expect(await visibleIds('holiday photos')).toEqual([]);
  });

  it('ignores moderation fields however they are spelled', async () => {
    await writer.index({ index, id: 'dot-mod', document: { ...post('dot-mod', 'Bakery plain post'), 'moderation.state': 'removed', 'moderation.decisionId': 'forged' } });
    const doc = await stored('dot-mod');
    expect(Object.keys(doc)).not.toContain('moderation.state');
    expect(doc.moderation).toMatchObject({ state: 'none', ruleHits: [] });
    expect(doc.moderation?.decisionId).toBeUndefined();
  });

  it('never echoes the moderation fields it added in an error, nor breaks a bulk with a multi-line document', async () => {
    // Duplicate keys: JSON.parse takes the last, Elasticsearch refuses, and its reason would quote the source it saw.
    await writer.index({ index, id: 'echo-1', document: post('echo-1', 'selling cocaine for the echo test') });
    const dup = await fetch(`${ingest.url}/${index}/_doc/echo-1`, { method: 'PUT', headers: { authorization: `Bearer ${p.tokens.ingest}`, 'content-type': 'application/json' }, body: '{"type":"post","type":"post","text":"x"}' });
    const body = await dup.text();
    expect(dup.status).toBe(400);
    expect(body).not.toMatch(/moderation|excluded|normalizedText|ruleHits/);
    // A pretty-printed document is a document, not a line break in the bulk Takedown sends on.
    const pretty = await fetch(`${ingest.url}/${index}/_doc/pretty-1`, { method: 'PUT', headers: { authorization: `Bearer ${p.tokens.ingest}`, 'content-type': 'application/json' }, body: JSON.stringify(post('pretty-1', 'Bakery pretty post'), null, 2) });
    expect(pretty.status).toBe(201);
    const smuggle = `{"id":"sm-1","type":"post","text":"nice cake","authorId":"a","createdAt":"2026-11-20T10:00:00.000Z","media":[\n{"index":{"_index":"${index}","_id":"sm-evil"}}\n]}`;
    const sm = await fetch(`${ingest.url}/${index}/_doc/sm-1`, { method: 'PUT', headers: { authorization: `Bearer ${p.tokens.ingest}`, 'content-type': 'application/json' }, body: smuggle });
    expect(sm.status).toBe(400);
    expect(await p.ctx.es.exists({ index, id: 'sm-evil' })).toBe(false);
  });

  it('reads no body before it knows the caller, and answers a body that is not what its encoding says with a 4xx', async () => {
    const garbled = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    const anonymous = await fetch(`${ingest.url}/${index}/_doc/x`, { method: 'PUT', headers: garbled, body: 'not gzip at all' });
    expect(anonymous.status).toBe(401); // not 400: the body was never read
    const known = await fetch(`${ingest.url}/${index}/_doc/x`, { method: 'PUT', headers: { ...garbled, authorization: `Bearer ${p.tokens.ingest}` }, body: 'not gzip at all' });
    expect(known.status).toBe(400);
    expect(((await known.json()) as { error: { type: string } }).error.type).toBe('parse_exception');
  });

  it('keeps a removal after an appeal was escalated, through delete and re-create', async () => {
    const id = 'esc-1';
    await writer.index({ index, id, document: post(id, 'Bakery escalation test') });
    await p.call('POST', '/v1/reports', p.tokens.reporter, { content: { id, type: 'post', authorId: 'x' }, reason: 'fraud' });
    await caseOf(id);
    const first = await claimCase(p, id);
    const removed = await p.call('POST', `/v1/review/${first.case.id}/decision`, p.tokens.moderator, { leaseToken: first.lease.token, action: 'remove', category: 'fraud', legalGround: 'Scam' });
    await eventually(async () => (await p.deps.cases.decision(first.case.id, removed.body.decisionId))?.appliedAt);
    expect((await p.call('POST', '/v1/appeals', p.tokens.reporter, { contentId: id, decisionId: removed.body.decisionId, reason: 'It was a joke' })).status).toBe(202);
    const second = await claimCase(p, id, p.tokens.moderator2, 'appeals');
    expect((await p.call('POST', `/v1/review/${second.case.id}/decision`, p.tokens.moderator2, { leaseToken: second.lease.token, action: 'escalate', category: 'fraud', legalGround: 'Needs a senior look' })).status).toBe(201);
    await writer.delete({ index, id });
    await writer.index({ index, id, document: post(id, 'Bakery escalation test, again') });
    expect((await stored(id)).moderation).toMatchObject({ state: 'removed', decisionId: removed.body.decisionId });
  });

  it('holds a kept post hidden and sends it back to a moderator once it is edited into words a rule hides', async () => {
    const id = 'kept-edit';
    const reviewed = 'Bakery news: police stop man selling cocaine';
    await writer.index({ index, id, document: post(id, reviewed) });
    const c = await caseOf(id);
    const claimed = await claimCase(p, id);
    const kept = await p.call('POST', `/v1/review/${c.id}/decision`, p.tokens.moderator, { leaseToken: claimed.lease.token, action: 'keep', category: 'drugs', legalGround: 'News report' });
    await eventually(async () => (await stored(id)).moderation?.decisionId === kept.body.decisionId && (await p.deps.cases.get(c.id))?.status === 'decided');
    // Written again unchanged: the keep stands, visible, nothing new for a moderator.
    await writer.index({ index, id, document: post(id, reviewed) });
    expect((await stored(id)).moderation).toMatchObject({ state: 'none', decisionId: kept.body.decisionId });
    // Edited into an offer: the same rule hits, but not the words the moderator kept. Hidden until looked at again.
    const offer = 'Bakery: selling cocaine tonight, cash only';
    await writer.index({ index, id, document: post(id, offer) });
    expect((await stored(id)).moderation).toMatchObject({ state: 'excluded', decisionId: kept.body.decisionId, ruleHits: ['sale'] });
    const reopened = await eventually(async () => {
      const x = await p.deps.cases.get(c.id);
      return x?.status === 'open' ? x : undefined;
    });
    expect(reopened.content.text).toBe(offer);
    // Written again as edited: still held (the reviewed words are remembered, not the last ones written).
    await writer.index({ index, id, document: post(id, offer) });
    expect((await stored(id)).moderation?.state).toBe('excluded');
    expect(await visibleIds('bakery cash')).not.toContain(id);
    // Back to the words the moderator kept: visible again.
    await writer.index({ index, id, document: post(id, reviewed) });
    expect((await stored(id)).moderation?.state).toBe('none');
  });
});

describe('ingest: bad input fails one item, never the request, never silently', () => {
  const raw = async (body: string, path = '/_bulk', contentType = 'application/x-ndjson') => {
    const res = await fetch(`${ingest.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${p.tokens.ingest}`, 'content-type': contentType }, body });
    return { status: res.status, body: (await res.json()) as { errors: boolean; items: Record<string, { status: number; _id?: string; error?: { type: string; reason: string } }>[] } };
  };
  const line = (o: unknown) => JSON.stringify(o);

  it('answers every item in order: malformed lines, unknown actions, mapping errors, oversize and over-deep documents', async () => {
    const deep = JSON.parse(`${'{"a":'.repeat(150)}1${'}'.repeat(150)}`) as Record<string, unknown>;
    const body = [
      line({ index: { _index: index, _id: 'ok-1' } }),
      line(post('ok-1', 'Bakery fine')),
      '{"index": {"_index": ', // malformed action line: its source is the next line
      line(post('lost', 'x')),
      line({ upsert: { _index: index, _id: 'u' } }), // unknown action, with a source line
      line(post('u', 'x')),
      line({ index: { _index: index, _id: 'bad-map' } }),
      line({ ...post('bad-map', 'x'), surprise: true }), // the index mapping is strict
      line({ index: { _index: index, _id: 'bad-json' } }),
      '{"text": "unterminated',
      line({ index: { _index: index, _id: 'too-big' } }),
      line(post('too-big', 'x'.repeat(70 * 1024))),
      line({ index: { _index: index, _id: 'too-deep' } }),
      line({ ...post('too-deep', 'x'), deep }),
      line({ index: { _index: index, _id: 'bad-text' } }),
      line({ ...post('bad-text', 'x'), text: { nested: 'object' } }),
      line({ index: { _index: index, _id: 'bad id with spaces' } }),
      line(post('x', 'x')),
      line({ delete: { _index: index, _id: 'never-existed' } }),
      line({ index: { _index: index, _id: 'ok-2' } }),
      line(post('ok-2', 'Bakery fine too')),
    ].join('\n');
    const r = await raw(`${body}\n`);
    expect(r.status).toBe(200);
    expect(r.body.errors).toBe(true);
    const summary = r.body.items.map((i) => {
      const [op, v] = Object.entries(i)[0]!;
      return [op, v.status, v.error?.type ?? null];
    });
    expect(summary).toEqual([
      ['index', 201, null],
      ['index', 400, 'x_content_parse_exception'],
      ['upsert', 400, 'illegal_argument_exception'],
      ['index', 400, 'strict_dynamic_mapping_exception'],
      ['index', 400, 'document_parsing_exception'],
      ['index', 413, 'content_too_long_exception'],
      ['index', 400, 'document_parsing_exception'],
      ['index', 400, 'document_parsing_exception'],
      ['index', 400, 'illegal_argument_exception'],
      ['delete', 404, null],
      ['index', 201, null],
    ]);
    expect(r.body.items[7]!['index']!.error!.reason).toContain('[text]');
    expect((await stored('ok-2')).moderation?.scannedVersion).toBe(ingest.deps.rules.version);
  });

  it('indexes 9,999 of a 10,000-item bulk and reports the one bad item where it was', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      lines.push(line({ index: { _index: index, _id: `big-${i}` } }));
      lines.push(i === 6_789 ? line({ ...post(`big-${i}`, 'x'), createdAt: 'not a date' }) : line(post(`big-${i}`, i % 100 === 0 ? `crate ${i}: selling cocaine` : `crate ${i}: apples`)));
    }
    const r = await raw(`${lines.join('\n')}\n`);
    expect(r.body.items).toHaveLength(10_000);
    const failed = r.body.items.map((item, i) => [i, item['index']!]).filter(([, v]) => (v as { error?: unknown }).error);
    expect(failed.map(([i, v]) => [i, (v as { _id: string })._id, (v as { status: number }).status])).toEqual([[6_789, 'big-6789', 400]]);
    await p.ctx.es.indices.refresh({ index });
    expect((await p.ctx.es.count({ index, query: { prefix: { id: 'big-' } } })).count).toBe(9_999);
    expect((await p.ctx.es.count({ index, query: { bool: { filter: [{ prefix: { id: 'big-' } }, { term: { 'moderation.state': 'excluded' } }] } } })).count).toBe(100);
    expect(await visibleIds('crate selling')).not.toContain('big-100');
  }, 120_000);

  it('refuses whole requests that are not bulks at all, in Elasticsearch shape', async () => {
    expect((await raw('')).status).toBe(400);
    const single = await fetch(`${ingest.url}/${index}/_doc/j1`, { method: 'PUT', headers: { authorization: `Bearer ${p.tokens.ingest}`, 'content-type': 'application/json' }, body: '{"text": ' });
    expect([single.status, ((await single.json()) as { error: { type: string } }).error.type]).toEqual([400, 'parse_exception']);
    const encoded = await fetch(`${ingest.url}/_bulk`, { method: 'POST', headers: { authorization: `Bearer ${p.tokens.ingest}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'br-nonsense' }, body: 'x' });
    expect(encoded.status).toBeGreaterThanOrEqual(400);
    expect(encoded.status).toBeLessThan(500);
    const charset = await fetch(`${ingest.url}/_bulk`, { method: 'POST', headers: { authorization: `Bearer ${p.tokens.ingest}`, 'content-type': 'application/x-ndjson; charset=klingon' }, body: 'x' });
    expect(charset.status).toBeGreaterThanOrEqual(400);
    expect(charset.status).toBeLessThan(500);
  });
});

describe('ingest: fails closed', () => {
  it('answers 503 when Elasticsearch does not answer, and says nothing of the documents', async () => {
    const dead = new Client({ node: 'http://127.0.0.1:1', maxRetries: 0, requestTimeout: 2000 });
    const entry = { kind: 'item' as const, op: 'index' as const, meta: { _index: index, _id: 'dead-1' }, source: post('dead-1', 'a secret message from a user'), sourceBytes: 0, line: 1 };
    const err = (await ingestBatch({ ...ingest.deps, es: dead }, [resolveItem(entry, index, index)]).catch((e: unknown) => e)) as Error & { status: number; code: string };
    await dead.close();
    expect([err.status, err.code]).toEqual([503, 'upstream_unavailable']);
    expect(err.message).not.toContain('secret');
    expect(JSON.stringify(err)).not.toContain('secret');
  });

  it('stores nothing unscanned: 503 while no ruleset is published', async () => {
    const empty = await startIngest({ ...p.ctx.config, queuePrefix: `{${p.ctx.prefix}-none}` });
    const token = (await empty.deps.principals.tokens.create({ role: 'ingest', name: 'i', createdBy: 'test' })).token;
    const c = new Client({ node: empty.url, auth: { bearer: token }, maxRetries: 0 });
    try {
      const e = (await c.index({ index, id: 'unscanned', document: post('unscanned', 'x') }).catch((x: unknown) => x)) as errors.ResponseError;
      expect(e.statusCode).toBe(503);
      expect(JSON.stringify(e.body)).toContain('ruleset_unavailable');
      expect((await p.ctx.es.exists({ index, id: 'unscanned' }))).toBe(false);
    } finally {
      await c.close();
      await empty.stop();
      await p.ctx.redis.del(`{${p.ctx.prefix}-none}:mod:tokens`);
    }
  });
});
