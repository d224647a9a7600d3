import { Router } from 'express';
import {
  type Category,
  ConflictError,
  NotFoundError,
  ValidationError,
  actorOf,
  compileValidator,
  appendAudit,
  type AuditEventInput,
} from '@takedown/shared';
import { SHIPPED_EMOJI_WORDS, diffEmojiWords, diffRules, ruleSchema, rulesetSchema, rulesToCsv, validateRuleDefinition, type HashListRef, type Rule, type RuleAction } from '@takedown/search-rules';
import type { ApiDeps } from '../deps';
import { guard, principalOf } from '../http/auth';
import { previewDraft } from '../rules/preview';
import { shadowView } from '../rules/shadow-view';
import { pageRules, validateRulePageQuery } from '../rules/rule-page';
import { DraftRulesCache } from '../rules/draft-rules-cache';
import { validateExportQuery } from '../http/schemas';

interface ImportBody {
  format: 'csv' | 'json' | 'pdq-list';
  content: string;
  mode?: 'replace' | 'merge';
  /** format pdq-list: the list every hash in `content` belongs to, and what a match does. */
  list?: HashListRef & { category: Category; action: RuleAction };
}
export const validateImportBody = compileValidator<ImportBody>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['format', 'content'],
    properties: {
      format: { type: 'string', enum: ['csv', 'json', 'pdq-list'] },
      content: { type: 'string', maxLength: 20_000_000 },
      mode: { type: 'string', enum: ['replace', 'merge'] },
      list: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'source', 'category', 'action'],
        properties: {
          ...ruleSchema.properties.hashList.properties,
          category: ruleSchema.properties.category,
          action: ruleSchema.properties.action,
        },
      },
    },
    allOf: [{ if: { properties: { format: { const: 'pdq-list' } }, required: ['format'] }, then: { required: ['list'], properties: { list: true } } }],
  },
  'import',
);
export const validatePublishBody = compileValidator<{ note?: string }>(
  { type: 'object', additionalProperties: false, properties: { note: { type: 'string', maxLength: 2000 } } },
  'publish',
);
export const validateEmojiBody = compileValidator<{ emojiWords: Record<string, string> }>(
  // The ruleset schema's bounds (entries, emoji and word lengths), so a table saved here also publishes.
  { type: 'object', additionalProperties: false, required: ['emojiWords'], properties: { emojiWords: rulesetSchema.properties.emojiWords } },
  'emoji table',
);
/**
 * An emoji table key: one pictograph or symbol, optionally with its
 * presentation selector. The normaliser replaces the key's code point
 * wherever it appears: a letter, digit or space would rewrite every post
 * (a key "a" turns each a into the word), a sequence would act as its
 * first code point, and regional-indicator letters are read as letters.
 */
const EMOJI_KEY = /^(?![\u{1F1E6}-\u{1F1FF}])[\p{Extended_Pictographic}\p{So}][\u{FE0E}\u{FE0F}]?$/u;
function checkEmojiKeys(table: Record<string, string>): void {
  for (const key of Object.keys(table)) {
    if (!EMOJI_KEY.test(key)) {
      throw new ValidationError(`emoji table: ${JSON.stringify(key)} is not one emoji or symbol (letters, digits, spaces, sequences and regional-indicator letters are refused: the normaliser would rewrite ordinary text with them)`, `/emojiWords/${key}`, 'emoji_key_invalid');
    }
  }
}
export const validateRescanBody = compileValidator<{ sweep: 'changed' | 'all' }>(
  { type: 'object', additionalProperties: false, required: ['sweep'], properties: { sweep: { type: 'string', enum: ['changed', 'all'] } } },
  'rescan',
);
export const validateRollbackBody = compileValidator<{ version: number; note?: string }>(
  { type: 'object', additionalProperties: false, required: ['version'], properties: { version: { type: 'integer', minimum: 1 }, note: { type: 'string', maxLength: 2000 } } },
  'rollback',
);

/**
 * Rules for trust-and-safety leads: a draft edited rule by rule or by bulk
 * import, previewed against real content and real queries, published as an
 * immutable version with a diff, rolled back by re-publishing.
 */
export function ruleRoutes(deps: ApiDeps): Router {
  const r = Router();

  const publisher = deps.publisher;
  const draftRules = new DraftRulesCache(deps.drafts);

  const audit = (event: AuditEventInput) => appendAudit(deps.redis, deps.cases.keys, event);

  r.get('/v1/rules/draft', guard(deps, 'GET /v1/rules/draft'), async (_req, res) => {
    const [meta, rules] = await Promise.all([deps.drafts.meta(), deps.drafts.rules()]);
    res.json({ ...meta, count: rules.length, rules });
  });

  // One page of the draft, searched and filtered here: the console never loads a 50,000-rule draft.
  r.get('/v1/rules/draft-page', guard(deps, 'GET /v1/rules/draft-page'), async (req, res) => {
    const query = validateRulePageQuery({ ...req.query });
    const [meta, rules] = await Promise.all([deps.drafts.meta(), draftRules.rules()]);
    res.json({ ...meta, count: rules.length, ...pageRules(rules, query) });
  });

  // Registered before /v1/rules/draft/:ruleId would be, and under its own path: "emoji" is a valid rule id.
  r.get('/v1/rules/draft-emoji', guard(deps, 'GET /v1/rules/draft-emoji'), async (_req, res) => {
    const [meta, table] = await Promise.all([deps.drafts.meta(), deps.drafts.emojiWords()]);
    const emojiWords = table ?? SHIPPED_EMOJI_WORDS;
    res.json({ ...meta, shipped: table === undefined, count: Object.keys(emojiWords).length, emojiWords });
  });

  r.put('/v1/rules/draft-emoji', guard(deps, 'PUT /v1/rules/draft-emoji'), async (req, res) => {
    const { emojiWords } = validateEmojiBody(req.body);
    checkEmojiKeys(emojiWords);
    const actor = actorOf(principalOf(req));
    const before = await deps.drafts.emojiWords();
    await deps.drafts.putEmojiWords(emojiWords, actor);
    const diff = diffEmojiWords(before, emojiWords) ?? { added: [], removed: [], changed: [] };
    await audit({ type: 'rules.draft_emoji_replaced', actor, at: new Date().toISOString(), data: { entries: Object.keys(emojiWords).length, ...diff } });
    res.json({ count: Object.keys(emojiWords).length, diff, emojiWords });
  });

  r.put('/v1/rules/draft/:ruleId', guard(deps, 'PUT /v1/rules/draft/:ruleId'), async (req, res) => {
    const id = String(req.params['ruleId']);
    const actor = actorOf(principalOf(req));
    const body = req.body as Record<string, unknown> | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('rule: body must be a rule object', '');
    if (body['id'] !== undefined && body['id'] !== id) throw new ValidationError('rule: /id must match the id in the path', '/id');
    const existing = (await deps.drafts.get(id)) as Rule | undefined;
    // Provenance comes from the token (or the rule's first write), never from the body.
    const rule = validateRuleDefinition({ ...body, id, createdBy: existing?.createdBy ?? actor, createdAt: existing?.createdAt ?? new Date().toISOString() });
    await deps.drafts.put(rule, actor);
    res.status(existing ? 200 : 201).json({ rule });
  });

  r.delete('/v1/rules/draft/:ruleId', guard(deps, 'DELETE /v1/rules/draft/:ruleId'), async (req, res) => {
    const removed = await deps.drafts.remove(String(req.params['ruleId']), actorOf(principalOf(req)));
    if (!removed) throw new NotFoundError('no such rule in the draft', 'not_found', 'ruleId');
    res.status(204).end();
  });

  r.post('/v1/rules/draft/import', guard(deps, 'POST /v1/rules/draft/import'), async (req, res) => {
    const body = validateImportBody(req.body);
    const actor = actorOf(principalOf(req));
    // Parsed and validated in a rule worker (thousands of rows keep the event loop busy for seconds).
    // Throws RuleImportError (400) listing every bad row; then nothing was written.
    const defaults = { createdBy: actor, createdAt: new Date().toISOString() };
    const { list, format } = body;
    if (list && format !== 'pdq-list') throw new ValidationError('import: /list belongs to format pdq-list only', '/list');
    // ajv guarantees a list exactly when the format is pdq-list.
    const rules =
      format === 'pdq-list' && list
        ? await deps.rulePool.run('parse-pdq-list', { content: body.content, opts: { list: { name: list.name, source: list.source, ...(list.threshold !== undefined ? { threshold: list.threshold } : {}) }, category: list.category, action: list.action, ...defaults } })
        : await deps.rulePool.run('parse-import', { content: body.content, format: format === 'json' ? 'json' : 'csv', defaults });
    await deps.drafts.importRules(rules, body.mode ?? 'merge', actor);
    await audit({ type: 'rules.draft_imported', actor, at: new Date().toISOString(), data: { format: body.format, mode: body.mode ?? 'merge', rules: rules.length, ...(body.list ? { list: body.list.name } : {}) } });
    res.json({ imported: rules.length, mode: body.mode ?? 'merge', draft: await deps.drafts.meta() });
  });

  r.get('/v1/rules/draft/export', guard(deps, 'GET /v1/rules/draft/export'), async (req, res) => {
    const { format } = validateExportQuery({ ...req.query });
    const rules = (await deps.drafts.rules()) as Rule[];
    if (format === 'csv') {
      res.type('text/csv').send(rulesToCsv(rules));
      return;
    }
    res.json({ rules });
  });

  r.get('/v1/rules/preview', guard(deps, 'GET /v1/rules/preview'), async (req, res) => {
    res.json(await previewDraft(deps, principalOf(req)));
  });

  r.post('/v1/rules/publish', guard(deps, 'POST /v1/rules/publish'), async (req, res) => {
    const { note } = validatePublishBody(req.body ?? {});
    const actor = actorOf(principalOf(req));
    const now = new Date();
    const [rules, emojiWords] = await Promise.all([deps.drafts.rules() as Promise<Rule[]>, deps.drafts.emojiWords()]);
    const current = await deps.rulesets.current();
    // In a rule worker: validates every rule (and refuses duplicates) with the draft's emoji table before anything is published, then diffs against the live rules.
    const diff = await deps.rulePool.run('check-publish', { live: (current?.rules ?? []) as Rule[], next: rules, publishedAt: now.toISOString(), publishedBy: actor, ...(emojiWords ? { emojiWords } : {}) });
    const emojiDiff = diffEmojiWords(current?.emojiWords, emojiWords);
    if (current && diff.added.length + diff.removed.length + diff.changed.length === 0 && !emojiDiff) {
      throw new ConflictError(`the draft equals published version ${current.version}; nothing to publish`, 'nothing_to_publish');
    }
    const { stored, backfill } = await publisher.publish(rules, actor, now, { diff, ...(note ? { note } : {}), ...(emojiWords ? { emojiWords } : {}), ...(emojiDiff ? { emojiDiff } : {}) });
    await deps.drafts.importRules([], 'merge', actor, stored.version);
    await audit({ type: 'rules.published', actor, at: now.toISOString(), data: { version: stored.version, previous: current?.version ?? null, added: diff.added, removed: diff.removed, changed: diff.changed.map((c) => c.id), note, ...(emojiDiff ? { emoji: emojiDiff } : {}) } });
    res.status(201).json({ version: stored.version, publishedAt: stored.publishedAt, diff, emojiChanged: emojiDiff !== undefined, ...(emojiDiff ? { emojiDiff } : {}), backfill });
  });

  r.post('/v1/rules/rollback', guard(deps, 'POST /v1/rules/rollback'), async (req, res) => {
    const { version, note } = validateRollbackBody(req.body);
    const actor = actorOf(principalOf(req));
    const target = await deps.rulesets.get(version);
    if (!target) throw new NotFoundError(`no published version ${version}`, 'not_found', 'version');
    const current = await deps.rulesets.current();
    const now = new Date();
    const diff = diffRules((current?.rules ?? []) as Rule[], target.rules as Rule[]);
    // The emoji table goes back with the rules it was published with.
    const emojiDiff = diffEmojiWords(current?.emojiWords, target.emojiWords);
    const { stored, backfill } = await publisher.publish(target.rules as Rule[], actor, now, { diff, rollbackOf: version, note: note ?? `rollback to v${version}`, ...(target.emojiWords ? { emojiWords: target.emojiWords } : {}), ...(emojiDiff ? { emojiDiff } : {}) });
    // The draft follows: editing continues from what is live.
    await deps.drafts.importRules(target.rules as Rule[], 'replace', actor, stored.version);
    await deps.drafts.putEmojiWords(target.emojiWords, actor);
    await audit({ type: 'rules.rolled_back', actor, at: now.toISOString(), data: { version: stored.version, rollbackOf: version, previous: current?.version ?? null } });
    res.status(201).json({ version: stored.version, rollbackOf: version, diff, emojiChanged: emojiDiff !== undefined, ...(emojiDiff ? { emojiDiff } : {}), backfill });
  });

  r.get('/v1/rules/versions', guard(deps, 'GET /v1/rules/versions'), async (_req, res) => {
    res.json({ current: (await deps.rulesets.currentVersion()) ?? null, versions: await deps.rulesets.versions() });
  });

  r.get('/v1/rules/versions/:version', guard(deps, 'GET /v1/rules/versions/:version'), async (req, res) => {
    const v = Number(req.params['version']);
    const stored = Number.isInteger(v) && v > 0 ? await deps.rulesets.get(v) : undefined;
    if (!stored) throw new NotFoundError('no such version', 'not_found', 'version');
    res.json(stored);
  });

  r.get('/v1/rules/backfill', guard(deps, 'GET /v1/rules/backfill'), async (_req, res) => {
    const jobs = await deps.backfill.queue.getJobs(['active', 'waiting', 'delayed', 'failed', 'completed'], 0, 19);
    const out = await Promise.all(
      jobs.map(async (j) => ({
        jobId: j.id,
        state: await j.getState(),
        rulesetVersion: (j.data as { rulesetVersion: number }).rulesetVersion,
        apply: (j.data as { apply: string[] }).apply.length,
        clear: (j.data as { clear: string[] }).clear.length,
        progress: j.progress,
        failedReason: j.failedReason ?? null,
        createdAt: new Date(j.timestamp).toISOString(),
      })),
    );
    out.sort((a, b) => b.rulesetVersion - a.rulesetVersion);
    const [pending, through, current] = await Promise.all([deps.redis.hgetall(deps.rulesets.keys.backfillPending), deps.rulesets.backfilledThrough(), deps.rulesets.currentVersion()]);
    res.json({ currentVersion: current ?? null, backfilledThrough: through ?? null, pendingForSearch: Object.keys(pending), jobs: out });
  });

  r.post('/v1/rules/backfill', guard(deps, 'POST /v1/rules/backfill'), async (req, res) => {
    const { sweep } = validateRescanBody(req.body);
    const started = await publisher.rescan(sweep);
    if (!started) throw new ConflictError('no ruleset is published', 'nothing_published');
    await audit({ type: 'rules.rescan_started', actor: actorOf(principalOf(req)), at: new Date().toISOString(), data: { sweep, jobId: started.jobId } });
    res.status(202).json({ backfill: started });
  });

  r.get('/v1/rules/shadow', guard(deps, 'GET /v1/rules/shadow'), async (req, res) => {
    res.json(await shadowView(deps, principalOf(req)));
  });

  return r;
}
