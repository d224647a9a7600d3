import { normalize, testing } from '@takedown/search-rules';
import { RulesetStore, caseIdFor, recordShadowHits, rulesetKeys, type CaseRecord } from '@takedown/shared';
import { CSAM_RULE_NOTICE, RESTRICTED_NOTICE, previewDraft } from '@takedown/moderation-api';
import { eventually } from '../support/test-context';
import { PIPELINE_RULES, claimCase, reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { scrapeValue } from '../support/prometheus-text';

// Oracles: numbers and ids that told a caller without the csam grant what
// restricted content says or how much of it there is (attack review F5-F7).
let p: Pipeline;

beforeAll(async () => {
  // A live csam rule on text too, besides the pipeline's known csam hash.
  p = await startPipeline('csam-oracles', {
    rules: [...PIPELINE_RULES, testing.rule('live-csam-term', 'livecsamword', { category: 'csam', scope: ['content', 'query'], action: 'block_query' })],
  });
});
afterAll(async () => {
  await p.stop();
});

async function caseWhen(contentId: string, ready: (c: CaseRecord) => boolean = () => true): Promise<CaseRecord> {
  return eventually(async () => {
    const c = await p.deps.cases.get(caseIdFor(contentId));
    return c && ready(c) ? c : undefined;
  });
}

async function doc(id: string, text: string, moderation: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<void> {
  await p.ctx.es.index({
    index: p.ctx.config.contentIndex,
    id,
    refresh: true,
    document: { id, type: 'post', text, authorId: 'oracle', createdAt: '2026-11-20T10:00:00Z', ...extra, moderation: { normalizedText: normalize(text), ...moderation } },
  });
}

async function draft(id: string, rule: Record<string, unknown>, token = p.tokens.lead): Promise<void> {
  expect((await p.call('PUT', `/v1/rules/draft/${id}`, token, { scope: ['content'], action: 'flag_for_review', ...rule })).status).toBe(201);
}

async function undraft(...ids: string[]): Promise<void> {
  for (const id of ids) await p.call('DELETE', `/v1/rules/draft/${id}`, p.tokens.csamLead);
}

interface Preview {
  queriesExamined: number;
  restricted?: { redacted: string; notice: string };
  rules: { ruleId: string; contentMatches: number | null; contentSamples: Record<string, string>[]; queryMatches: number | null; querySamples: unknown[]; notice?: string }[];
}

async function preview(token: string): Promise<Preview> {
  const r = await p.call('GET', '/v1/rules/preview', token);
  expect(r.status).toBe(200);
  return r.body as Preview;
}

const ruleOf = (body: Preview, id: string) => body.rules.find((x) => x.ruleId === id)!;

describe('metrics: no csam decision or csam lease in the figures shown without the grant (F5)', () => {
  it('takedown_decisions_total and takedown_review_leases move for csam only for a caller with the grant', async () => {
    const read = async (token: string) => {
      const m = (await p.call('GET', '/metrics', token)).body as string;
      const removes = scrapeValue(m, 'takedown_decisions_total', { action: 'remove' }) ?? 0;
      const leases = scrapeValue(m, 'takedown_review_leases') as number;
      return { removes, leases };
    };
    const both = async () => ({ lead: await read(p.tokens.lead), cleared: await read(p.tokens.csamAdmin) });

    await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('f5-csam', { reason: 'csam', content: { id: 'f5-csam', type: 'post', text: 'f5 words', authorId: 'f5-author' } }));
    await caseWhen('f5-csam', (c) => c.lane === 'csam');
    const before = await both();
    const held = await claimCase(p, 'f5-csam', p.tokens.csamModerator, 'csam');
    const during = await both();
    const d = await p.call('POST', `/v1/review/${held.case.id}/decision`, p.tokens.csamModerator, { leaseToken: held.lease.token, action: 'remove', category: 'csam', legalGround: 'csam' });
    expect(d.status).toBe(201);
    // An automatic removal of known csam media (the hash scanner's report) is a csam decision too.
    const auto = await p.call('POST', '/v1/reports', p.tokens.detector, { content: { id: 'f5-media', type: 'media', mediaSha256: ['ab'.repeat(32)], authorId: 'f5-author' }, reporter: { id: 'hash-scanner' }, reason: 'other' });
    expect(auto.status).toBe(202);
    expect((await caseWhen('f5-media')).autoRemovedBy).toMatch(/^d_/);
    const after = await both();
    // Nothing csam moves for the uncleared lead...
    expect({ leaseDelta: during.lead.leases - before.lead.leases, removeDelta: after.lead.removes - before.lead.removes }).toEqual({ leaseDelta: 0, removeDelta: 0 });
    // ...while the cleared scraper counts the lease and both removals.
    expect({ leaseDelta: during.cleared.leases - before.cleared.leases, removeDelta: after.cleared.removes - before.cleared.removes }).toEqual({ leaseDelta: 1, removeDelta: 2 });

    // A case that is not csam moves both figures for everyone.
    await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('f5-drugs', { content: { id: 'f5-drugs', type: 'post', text: 'selling cocaine f5', authorId: 'f5-author' } }));
    await caseWhen('f5-drugs');
    const plain = await claimCase(p, 'f5-drugs');
    const holding = await both();
    expect((await p.call('POST', `/v1/review/${plain.case.id}/decision`, p.tokens.moderator, { leaseToken: plain.lease.token, action: 'remove', category: 'drugs', legalGround: 'sale of drugs' })).status).toBe(201);
    const decided = await both();
    expect(holding.lead.leases - after.lead.leases).toBe(1);
    expect(holding.cleared.leases - after.cleared.leases).toBe(1);
    expect(decided.lead.removes - after.lead.removes).toBe(1);
    expect(decided.cleared.removes - after.cleared.removes).toBe(1);
    expect((await p.call('GET', '/metrics', p.tokens.lead)).body).not.toContain('csam');
  });

  it('a lease on a case that turns csam while held leaves the uncleared count at once', async () => {
    await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('f5-turns', { content: { id: 'f5-turns', type: 'post', text: 'selling cocaine turns', authorId: 'f5-author' } }));
    await caseWhen('f5-turns');
    const leases = async () => {
      const n = scrapeValue((await p.call('GET', '/metrics', p.tokens.lead)).body as string, 'takedown_review_leases');
      if (n === undefined) throw new Error('no takedown_review_leases in /metrics');
      return n;
    };
    const before = await leases();
    const held = await claimCase(p, 'f5-turns');
    expect(await leases()).toBe(before + 1);
    // A csam report arrives while it is held: the holder keeps the lease, the case is csam now.
    await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('f5-turns', { reason: 'csam', reportId: 'f5-turns-csam', content: { id: 'f5-turns', type: 'post', text: 'selling cocaine turns', authorId: 'f5-author' } }));
    await caseWhen('f5-turns', (c) => c.reportCount === 2);
    expect(await leases()).toBe(before);
    await p.call('POST', `/v1/review/${held.case.id}/release`, p.tokens.moderator, { leaseToken: held.lease.token });
  });
});

describe('rule preview: a guess on restricted content is indistinguishable from a miss (F6)', () => {
  it('a csam post matched by a guessed phrase is neither counted nor sampled for an uncleared lead', async () => {
    await doc('f6-csam', 'quokkaword meet behind library friday', { state: 'removed', category: 'csam' });
    // The lead only knows the post id is csam; guesses the next words in one preview (up to 500 rules).
    const guesses = ['school', 'library', 'park', 'mall'];
    for (const g of guesses) await draft(`f6-${g}`, { kind: 'phrase', pattern: `quokkaword meet behind ${g}`, category: 'other' });
    const body = await preview(p.tokens.lead);
    const answers = guesses.map((g) => ruleOf(body, `f6-${g}`)).map((x) => ({ n: x.contentMatches, samples: x.contentSamples }));
    // Every guess answers the same: a hit on a csam document looks like a miss.
    expect(answers).toEqual(guesses.map(() => ({ n: 0, samples: [] })));
    expect(body.restricted).toEqual({ redacted: 'csam_grant_required', notice: RESTRICTED_NOTICE });
    expect(JSON.stringify(body)).not.toContain('f6-csam');
    // With the grant, the matching guess shows.
    const cleared = await preview(p.tokens.csamLead);
    expect(ruleOf(cleared, 'f6-library')).toMatchObject({ contentMatches: 1, contentSamples: [{ id: 'f6-csam', text: 'quokkaword meet behind library friday' }] });
    expect(cleared.restricted).toBeUndefined();
    await undraft(...guesses.map((g) => `f6-${g}`));
  });

  it('leaves out every kind of restricted document, in Elasticsearch: counts and samples; a removed post that is not csam stays counted, as an id', async () => {
    await doc('o-clean', 'yakfable plainvisible');
    await doc('o-removed', 'yakfable secretbravo', { state: 'removed', category: 'drugs' });
    await doc('o-csam', 'yakfable secretalpha', { state: 'removed', category: 'csam' });
    await doc('o-livehit', 'yakfable secretcharlie', { state: 'excluded', ruleHits: ['known-csam-hash'] });
    await doc('o-drafthit', 'yakfable secretecho', { state: 'excluded', ruleHits: ['o-draft-csam'] });
    // Hit by no rule yet, but a draft csam rule matches it, and a live one matches the next.
    await doc('o-draftmatch', 'yakfable secretgolf');
    await doc('o-livematch', 'yakfable livecsamword secrethotel');
    // Known csam media, stored upper-case by the platform.
    await doc('o-hash', 'yakfable secretindia', {}, { media: [{ sha256: 'AB'.repeat(32), kind: 'image' }] });
    // A post nobody decided yet, but its case is restricted (reported as csam).
    await doc('o-case', 'yakfable secretdelta');
    await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('o-case', { reason: 'csam', content: { id: 'o-case', type: 'post', authorId: 'oracle' } }));
    await caseWhen('o-case');
    await p.ctx.redis.lpush(p.deps.rulesets.keys.queryLog, 'yakfable plainsearch');
    await draft('o-draft-csam', { kind: 'term', pattern: 'secretgolf', category: 'csam', scope: ['content', 'query'] });
    await draft('o-probe', { kind: 'term', pattern: 'yakfable', category: 'drugs', scope: ['content', 'query'] });

    // (secretgolf is also the draft csam rule's pattern, which the draft shows every lead.)
    const secrets = /secret(alpha|charlie|delta|echo|hotel|india)|yakfable secretgolf/;
    for (const token of [p.tokens.lead, p.tokens.admin]) {
      const body = await preview(token);
      const probe = ruleOf(body, 'o-probe');
      expect(probe.contentMatches).toBe(2);
      expect(probe.contentSamples.sort((a, b) => String(a['id']).localeCompare(String(b['id'])))).toEqual([
        { id: 'o-clean', text: 'yakfable plainvisible' },
        { id: 'o-removed', redacted: 'removed', notice: expect.stringContaining('csam grant') },
      ]);
      expect(probe.queryMatches).toBe(1);
      expect(probe.querySamples).toEqual(['yakfable plainsearch']);
      // A csam rule's own preview: everything it matches is restricted.
      expect(ruleOf(body, 'o-draft-csam')).toMatchObject({ contentMatches: 0, contentSamples: [], queryMatches: 0, querySamples: [], notice: CSAM_RULE_NOTICE });
      expect(body.restricted?.notice).toBe(RESTRICTED_NOTICE);
      expect(JSON.stringify(body)).not.toMatch(secrets);
      expect(JSON.stringify(body)).not.toMatch(/o-(csam|livehit|drafthit|draftmatch|livematch|hash|case)\b/);
    }
    const cleared = await preview(p.tokens.csamLead);
    expect(ruleOf(cleared, 'o-probe').contentMatches).toBe(9);
    expect(ruleOf(cleared, 'o-draft-csam')).toMatchObject({ contentMatches: 1, contentSamples: [{ id: 'o-draftmatch', text: 'yakfable secretgolf' }] });
    expect(ruleOf(cleared, 'o-draft-csam').notice).toBeUndefined();
    await undraft('o-draft-csam', 'o-probe');
  });

  it('a post whose case turned csam after the mirror copied it is left out too (checked against Redis, then counted again)', async () => {
    await doc('o-lagging', 'emufable secretjuliet');
    await doc('o-lagging-clean', 'emufable plainvisible');
    await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('o-lagging', { content: { id: 'o-lagging', type: 'post', authorId: 'oracle' } }));
    const c = await caseWhen('o-lagging');
    // Mirrored as it is (not csam), then the case turns csam in Redis and the mirror has not caught up.
    await eventually(async () => (await p.ctx.es.search({ index: p.deps.indices.cases, query: { ids: { values: [c.id] } } })).hits.hits.length === 1);
    await p.ctx.redis.hset(p.deps.cases.keys.case(c.id), 'csamSignal', 'true');
    await p.ctx.redis.srem(p.deps.cases.keys.shardOf(c.id).dirty, c.id);
    await draft('o-lag-probe', { kind: 'term', pattern: 'emufable', category: 'other' });
    const probe = ruleOf(await preview(p.tokens.lead), 'o-lag-probe');
    expect(probe).toMatchObject({ contentMatches: 1, contentSamples: [{ id: 'o-lagging-clean', text: 'emufable plainvisible' }] });
    await undraft('o-lag-probe');
  });

  it('refuses the preview (503) rather than leave out only some csam cases', async () => {
    await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('o-bound', { reason: 'csam', content: { id: 'o-bound', type: 'post', text: 'bound', authorId: 'oracle' } }));
    await caseWhen('o-bound');
    const lead = (await p.deps.tokens.authenticate(p.tokens.lead))!;
    await eventually(async () => (await p.ctx.es.count({ index: p.deps.indices.cases, query: { term: { csam: true } } })).count >= 2);
    await expect(previewDraft(p.deps, lead, { restrictedCaseLimit: 1 })).rejects.toMatchObject({ status: 503, code: 'preview_restriction_unavailable' });
    // The grant needs no lookup.
    const csamLead = (await p.deps.tokens.authenticate(p.tokens.csamLead))!;
    await expect(previewDraft(p.deps, csamLead, { restrictedCaseLimit: 1 })).resolves.toMatchObject({ publishedVersion: expect.any(Number) });
  });
});

describe('rule preview: no restricted search through a twin rule (F7)', () => {
  it('a rule of another category with a csam rule\'s pattern neither counts nor shows the searches the csam rule matches', async () => {
    await p.ctx.redis.lpush(p.deps.rulesets.keys.queryLog, 'f7 wombatcode private album');
    await draft('f7-csam', { kind: 'term', pattern: 'wombatcode', category: 'csam', scope: ['query'], action: 'block_query' }, p.tokens.csamLead);
    // The uncleared lead reads the csam rule's pattern from the draft, then drafts a twin.
    expect(JSON.stringify((await p.call('GET', '/v1/rules/draft', p.tokens.lead)).body)).toContain('wombatcode');
    await draft('f7-twin', { kind: 'term', pattern: 'wombatcode', category: 'other', scope: ['query'], action: 'block_query' });
    // A guess at the rest of the search, in one word.
    await draft('f7-guess', { kind: 'term', pattern: 'album', category: 'other', scope: ['query'], action: 'block_query' });
    const body = await preview(p.tokens.lead);
    expect(ruleOf(body, 'f7-csam')).toMatchObject({ queryMatches: 0, querySamples: [], notice: CSAM_RULE_NOTICE });
    expect(ruleOf(body, 'f7-twin')).toMatchObject({ queryMatches: 0, querySamples: [] });
    expect(ruleOf(body, 'f7-guess')).toMatchObject({ queryMatches: 0, querySamples: [] });
    expect(JSON.stringify(body)).not.toContain('private album');
    const cleared = await preview(p.tokens.csamLead);
    for (const id of ['f7-csam', 'f7-twin', 'f7-guess']) expect(ruleOf(cleared, id)).toMatchObject({ queryMatches: 1, querySamples: ['f7 wombatcode private album'] });
    await undraft('f7-csam', 'f7-twin', 'f7-guess');
  });

  it('a live csam rule, whatever its scope, restricts the searches it matches; other searches stay counted and shown', async () => {
    await p.ctx.redis.lpush(p.deps.rulesets.keys.queryLog, 'f7 livecsamword secretkilo', 'f7 koalaword plainsearch', `f7 koalaword ${'ab'.repeat(32)}`);
    await draft('f7-live-twin', { kind: 'term', pattern: 'livecsamword', category: 'other', scope: ['query'], action: 'block_query' });
    await draft('f7-koala', { kind: 'term', pattern: 'koalaword', category: 'other', scope: ['query'], action: 'block_query' });
    const body = await preview(p.tokens.lead);
    expect(ruleOf(body, 'f7-live-twin')).toMatchObject({ queryMatches: 0, querySamples: [] });
    // The search carrying a known csam hash (a content-only csam rule) is restricted too.
    expect(ruleOf(body, 'f7-koala')).toMatchObject({ queryMatches: 1, querySamples: ['f7 koalaword plainsearch'] });
    expect(JSON.stringify(body)).not.toContain('secretkilo');
    const cleared = await preview(p.tokens.csamLead);
    expect(ruleOf(cleared, 'f7-live-twin')).toMatchObject({ queryMatches: 1, querySamples: ['f7 livecsamword secretkilo'] });
    expect(ruleOf(cleared, 'f7-koala').queryMatches).toBe(2);
    await undraft('f7-live-twin', 'f7-koala');
  });

  it("the shadow view: no csam shadow rule's count or samples, no search a csam rule matches and no post sample for an uncleared lead", async () => {
    const store = new RulesetStore(p.ctx.redis, rulesetKeys(p.ctx.config.queuePrefix));
    const current = await store.current();
    const shadowCsam = testing.rule('shadow-csam', 'shadowcsamword', { category: 'csam', scope: ['query', 'content'], action: 'exclude', shadow: true });
    const shadowTwin = testing.rule('shadow-twin', 'shadowcsamword', { category: 'other', scope: ['query', 'content'], action: 'exclude', shadow: true });
    const shadowPlain = testing.rule('shadow-plain', 'shadowplainword', { category: 'other', scope: ['query', 'content'], action: 'exclude', shadow: true });
    const published = await store.publish([...(current?.rules ?? []), shadowCsam, shadowTwin, shadowPlain], 'csam-lead');
    const k = store.keys;
    await recordShadowHits(p.ctx.redis, k, published.version, [{ ruleId: 'shadow-csam' }, { ruleId: 'shadow-twin' }], 'where is shadowcsamword album', 'query');
    await recordShadowHits(p.ctx.redis, k, published.version, [{ ruleId: 'shadow-twin' }], 'a post saying shadowcsamword', 'content');
    await recordShadowHits(p.ctx.redis, k, published.version, [{ ruleId: 'shadow-plain' }], 'cheap shadowplainword here', 'query');
    await recordShadowHits(p.ctx.redis, k, published.version, [{ ruleId: 'shadow-plain' }], 'a post with shadowplainword', 'content');

    const view = async (token: string) => {
      const r = await p.call('GET', '/v1/rules/shadow', token);
      expect(r.status).toBe(200);
      return r.body as { restricted?: { notice: string }; rules: { ruleId: string; wouldHaveActed: number | null; samples: { sample: string }[] }[] };
    };
    const uncleared = await view(p.tokens.lead);
    const byId = (b: typeof uncleared, id: string) => b.rules.find((x) => x.ruleId === id)!;
    expect(JSON.stringify(uncleared)).not.toContain('shadowcsamword album');
    expect(JSON.stringify(uncleared)).not.toContain('a post saying');
    expect(byId(uncleared, 'shadow-csam')).toMatchObject({ wouldHaveActed: null, samples: [] });
    expect(byId(uncleared, 'shadow-twin').samples).toEqual([]);
    expect(byId(uncleared, 'shadow-plain').samples.map((x) => x.sample)).toEqual(['cheap shadowplainword here']);
    expect(uncleared.restricted?.notice).toBeTruthy();

    const cleared = await view(p.tokens.csamLead);
    expect(byId(cleared, 'shadow-csam').samples.map((x) => x.sample)).toEqual(['where is shadowcsamword album']);
    expect(byId(cleared, 'shadow-twin').samples).toHaveLength(2);
    expect(cleared.restricted).toBeUndefined();
    await store.publish(current?.rules ?? [], 'csam-lead');
  });
});
