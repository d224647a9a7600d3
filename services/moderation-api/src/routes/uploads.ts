import { createHash } from 'node:crypto';
import { Router } from 'express';
import { evaluateFeature } from '@takedown/features';
import { scanContent, type Rule } from '@takedown/search-rules';
import { NotFoundError, UnavailableError, caseIdFor, isTakedownError, mostSevere, scanReport, type PlatformContent } from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard } from '../http/auth';
import { validateUploadCheckBody } from '../http/upload-schemas';

/**
 * POST /v1/uploads/check: may this account upload this media here, now?
 * Two reasons to refuse: the feature (telegraph_media_upload…) is off for
 * the caller's country and platform, or the media's SHA-256 is on a hash
 * list (a live content rule of kind sha256, or of kind pdq within its
 * list's Hamming threshold, that applies in that country).
 * A hash match also files the automated report a content scan files, so
 * triage opens (or adds to) the media's case and an auto_remove rule acts
 * as it does on a post. One case per media (`upload.<sha256>`), one report
 * per account that tried. The
 * account's `standing` and `accountAgeDays`, when sent, are evaluated too
 * (rules can switch uploads off for suspended or new accounts).
 */
export function uploadRoutes(deps: ApiDeps): Router {
  const r = Router();
  r.post('/v1/uploads/check', guard(deps, 'POST /v1/uploads/check'), async (req, res) => {
    const body = validateUploadCheckBody(req.body);
    const sha256 = body.media.sha256.toLowerCase();
    const pdq = body.media.pdq?.toLowerCase();
    const [features, rules] = await Promise.all([deps.features.published.current(), deps.publishedRules.current()]);
    const feature = features?.features.get(body.feature);
    if (!feature) throw new NotFoundError(`no published feature ${body.feature}`, 'unknown_feature', '/feature');
    const now = new Date();

    // The hash list first: media on it opens a case even where the feature is off anyway.
    if (rules) {
      const scan = scanContent(rules, { mediaSha256: [sha256], ...(pdq ? { mediaPdq: [pdq] } : {}) }, now);
      const hit = scan.hits
        .map((h) => rules.byId.get(h.ruleId))
        .filter((rule): rule is Rule => rule !== undefined && (rule.countries === undefined || rule.countries.includes(body.country)));
      if (hit.length > 0) {
        const content: PlatformContent = { id: `upload.${sha256}`, type: 'media', mediaSha256: [sha256], ...(pdq ? { mediaPdq: [pdq] } : {}), authorId: body.accountId, createdAt: now.toISOString() };
        // Each account's attempt is its own report on the media's one case (the same account again files nothing new).
        const account = createHash('sha256').update(body.accountId).digest('hex').slice(0, 16);
        const job = scanReport(content, hit, rules.version, now.toISOString(), 'upload', account);
        try {
          await deps.reports.add(job, { jobId: job.reportId });
        } catch (err) {
          if (isTakedownError(err)) throw err;
          // Refusing without the case would lose the evidence: 503, and the retry files the same report id.
          throw new UnavailableError('the report queue (Redis) is unavailable; retry the check', 'queue_unavailable', { cause: err });
        }
        res.json({
          allow: false,
          reason: 'hash_match',
          ruleIds: hit.map((h) => h.id),
          category: mostSevere(hit.map((h) => h.category), hit[0]!.category),
          caseId: caseIdFor(content.id),
          reportId: job.reportId,
        });
        return;
      }
    }

    const ctx = {
      country: body.country,
      ...(body.platform ? { platform: body.platform } : {}),
      ...(body.standing ? { standing: body.standing } : {}),
      ...(body.accountAgeDays !== undefined ? { accountAgeDays: body.accountAgeDays } : {}),
    };
    const decision = evaluateFeature(feature, ctx, now.getTime());
    if (!decision.on) {
      res.json({ allow: false, reason: 'feature_off', feature: decision });
      return;
    }
    res.json({ allow: true, feature: decision });
  });
  return r;
}
