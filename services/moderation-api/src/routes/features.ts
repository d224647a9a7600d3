import { Router } from 'express';
import { evaluateFeature, type Feature } from '@takedown/features';
import {
  ConflictError,
  NotFoundError,
  ValidationError,
  actorOf,
  appendAudit,
  validateFeatureDefinition,
  validateFeatureSet,
  type AuditEventInput,
  type ItemsDiff,
} from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard, principalOf } from '../http/auth';
import { validateEvaluateQuery, validateFeatureKey, validateFeaturePublishBody, validateFeatureRollbackBody } from '../http/feature-schemas';
import { diffFeatures } from '../features/feature-diff';
import { previewFeatures } from '../features/feature-preview';

const isEmpty = (d: ItemsDiff) => d.added.length + d.removed.length + d.changed.length === 0;

/**
 * Feature switches: a draft edited feature by feature, previewed as the
 * countries whose state changes, published as an immutable version with a
 * diff and an audit event, rolled back by re-publishing. The same store,
 * draft and publish script as the rules, under the `features` keys.
 * Platform services evaluate through the client package or GET /v1/features/evaluate.
 */
export function featureRoutes(deps: ApiDeps): Router {
  const r = Router();
  const { store, drafts, published } = deps.features;
  const audit = (event: AuditEventInput) => appendAudit(deps.redis, deps.cases.keys, event);
  const draftFeatures = async () => (await drafts.rules()) as unknown as Feature[];
  const publishedFeatures = async () => ((await store.current())?.rules ?? []) as Feature[];

  r.get('/v1/features', guard(deps, 'GET /v1/features'), async (_req, res) => {
    const current = await store.current();
    res.json({ version: current?.version ?? null, publishedAt: current?.publishedAt ?? null, publishedBy: current?.publishedBy ?? null, features: current?.rules ?? [] });
  });

  r.get('/v1/features/draft', guard(deps, 'GET /v1/features/draft'), async (_req, res) => {
    const [meta, features] = await Promise.all([drafts.meta(), draftFeatures()]);
    res.json({ ...meta, count: features.length, features });
  });

  r.put('/v1/features/draft/:featureKey', guard(deps, 'PUT /v1/features/draft/:featureKey'), async (req, res) => {
    const { featureKey: key } = validateFeatureKey({ featureKey: req.params['featureKey'] });
    const actor = actorOf(principalOf(req));
    const body = req.body as Record<string, unknown> | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('feature: body must be a feature object', '');
    if (body['key'] !== undefined && body['key'] !== key) throw new ValidationError('feature: /key must match the key in the path', '/key');
    // Provenance comes from the token, never from the body.
    const feature = validateFeatureDefinition({ ...body, key, updatedBy: actor, updatedAt: new Date().toISOString() });
    const existed = (await drafts.get(key)) !== undefined;
    await drafts.put(feature, actor);
    await audit({ type: 'features.draft_changed', actor, at: feature.updatedAt ?? new Date().toISOString(), data: { key, change: existed ? 'updated' : 'added', rules: feature.rules.map((x) => x.id) } });
    res.status(existed ? 200 : 201).json({ feature });
  });

  r.delete('/v1/features/draft/:featureKey', guard(deps, 'DELETE /v1/features/draft/:featureKey'), async (req, res) => {
    const { featureKey: key } = validateFeatureKey({ featureKey: req.params['featureKey'] });
    const actor = actorOf(principalOf(req));
    if (!(await drafts.remove(key, actor))) throw new NotFoundError(`no feature ${key} in the draft`, 'unknown_feature', 'featureKey');
    await audit({ type: 'features.draft_changed', actor, at: new Date().toISOString(), data: { key, change: 'removed' } });
    res.status(204).end();
  });

  r.get('/v1/features/preview', guard(deps, 'GET /v1/features/preview'), async (_req, res) => {
    const [before, after, meta, version] = await Promise.all([publishedFeatures(), draftFeatures(), drafts.meta(), store.currentVersion()]);
    res.json({ publishedVersion: version ?? null, draft: meta, diff: diffFeatures(before, after), features: previewFeatures(before, after) });
  });

  // The live state per country and platform (the console's table): the preview's grid, from nothing to the published features.
  r.get('/v1/features/states', guard(deps, 'GET /v1/features/states'), async (_req, res) => {
    const [live, version] = await Promise.all([publishedFeatures(), store.currentVersion()]);
    const features = previewFeatures([], live).map((f) => ({ key: f.key, cells: f.changes.map((c) => ({ country: c.country, platforms: c.platforms, state: c.to, decidedBy: c.decidedBy })), conditionalRules: f.conditionalRules }));
    res.json({ version: version ?? null, features });
  });

  r.post('/v1/features/publish', guard(deps, 'POST /v1/features/publish'), async (req, res) => {
    const { note } = validateFeaturePublishBody(req.body ?? {});
    const actor = actorOf(principalOf(req));
    const now = new Date();
    // Checked again now: a rule may have expired since it was written (400 naming /features/<key>/rules/<i>/expiresAt).
    const features = validateFeatureSet(await draftFeatures(), now);
    const current = await store.current();
    const before = (current?.rules ?? []) as Feature[];
    const diff = diffFeatures(before, features);
    if (current && isEmpty(diff)) throw new ConflictError(`the draft equals published version ${current.version}; nothing to publish`, 'nothing_to_publish');
    const preview = previewFeatures(before, features, now.getTime());
    const stored = await store.publish(features, actor, now, { diff, note });
    await drafts.importRules([], 'merge', actor, stored.version);
    const countriesChanged = Object.fromEntries(preview.filter((p) => p.countriesChanged.length > 0).map((p) => [p.key, p.countriesChanged]));
    await audit({ type: 'features.published', actor, at: now.toISOString(), data: { version: stored.version, previous: current?.version ?? null, diff, countriesChanged, note } });
    res.status(201).json({ version: stored.version, publishedAt: stored.publishedAt, diff, countriesChanged });
  });

  r.post('/v1/features/rollback', guard(deps, 'POST /v1/features/rollback'), async (req, res) => {
    const { version, note } = validateFeatureRollbackBody(req.body);
    const actor = actorOf(principalOf(req));
    const target = await store.get(version);
    if (!target) throw new NotFoundError(`no published version ${version}`, 'not_found', '/version');
    const current = await store.current();
    const now = new Date();
    // Rules that expired since are kept as they were: evaluation ignores them.
    const features = target.rules as Feature[];
    const diff = diffFeatures((current?.rules ?? []) as Feature[], features);
    const stored = await store.publish(features, actor, now, { diff, rollbackOf: version, note });
    // The draft follows: editing continues from what is live.
    await drafts.importRules(features, 'replace', actor, stored.version);
    await audit({ type: 'features.rolled_back', actor, at: now.toISOString(), data: { version: stored.version, rollbackOf: version, previous: current?.version ?? null, diff, note } });
    res.status(201).json({ version: stored.version, rollbackOf: version, diff });
  });

  r.get('/v1/features/versions', guard(deps, 'GET /v1/features/versions'), async (_req, res) => {
    const summaries = (await store.versions(50)) as { version: number }[];
    // History with the full diffs (the summaries count them only).
    const versions = await Promise.all(
      summaries.map(async (s) => {
        const v = await store.get(s.version);
        return { ...s, diff: v?.diff ?? null };
      }),
    );
    res.json({ current: (await store.currentVersion()) ?? null, versions });
  });

  r.get('/v1/features/versions/:version', guard(deps, 'GET /v1/features/versions/:version'), async (req, res) => {
    const v = Number(req.params['version']);
    const stored = Number.isInteger(v) && v > 0 ? await store.get(v) : undefined;
    if (!stored) throw new NotFoundError('no such version', 'not_found', 'version');
    res.json({ ...stored, features: stored.rules, rules: undefined });
  });

  r.get('/v1/features/evaluate', guard(deps, 'GET /v1/features/evaluate'), async (req, res) => {
    const q = validateEvaluateQuery({ ...req.query });
    const ctx = { country: q.country, platform: q.platform, ...(q.accountAgeDays !== undefined ? { accountAgeDays: Number(q.accountAgeDays) } : {}), ...(q.standing ? { standing: q.standing } : {}) };
    const snapshot = await published.current();
    const all = snapshot ? [...snapshot.features.values()] : [];
    const chosen = q.feature === undefined ? all : all.filter((f) => f.key === q.feature);
    if (q.feature !== undefined && chosen.length === 0) throw new NotFoundError(`no published feature ${q.feature}`, 'unknown_feature', '/feature');
    const now = Date.now();
    res.json({ version: snapshot?.version ?? null, publishedAt: snapshot?.publishedAt ?? null, context: ctx, features: chosen.map((f) => evaluateFeature(f, ctx, now)) });
  });

  return r;
}
