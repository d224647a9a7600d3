import type { Principal } from '@takedown/shared';
import type { Rule } from '@takedown/search-rules';
import type { ApiDeps } from '../deps';
import { CSAM_RULE_NOTICE, csamRuleRestriction, restrictedSearch } from './preview';

const SAMPLES = 10;

/** Shadow samples of posts carry no id to check against csam cases: only the grant sees them. */
const CONTENT_SAMPLE_NOTICE = 'Samples of posts are shown only to tokens holding the csam grant: a post a shadow rule matched may be restricted as csam, and a sample names no post to check.';

interface ShadowSample {
  version: number;
  where: 'query' | 'content';
  at: string;
  sample: string;
}

/**
 * What the live shadow rules would have done, with their last samples. For
 * a caller without the csam grant, as the rule preview: a csam rule shows
 * no count and no sample, a search any csam rule (draft or live) matches is
 * left out whatever rule logged it, and post samples are withheld.
 */
export async function shadowView(deps: ApiDeps, caller: Principal): Promise<{ version: number | null; rules: unknown[]; restricted?: { notice: string } }> {
  const current = await deps.rulesets.current();
  if (!current) return { version: null, rules: [] };
  const live = current.rules as Rule[];
  const cleared = caller.grants.csam === true;
  const restriction = cleared ? undefined : csamRuleRestriction([...live, ...((await deps.drafts.rules()) as Rule[])]);
  const k = deps.rulesets.keys;
  const rules = await Promise.all(
    live
      .filter((x) => x.shadow)
      .map(async (rule) => {
        const base = { ruleId: rule.id, pattern: rule.pattern, action: rule.action };
        if (restriction && rule.category === 'csam') return { ...base, wouldHaveActed: null, samples: [], notice: CSAM_RULE_NOTICE };
        const wouldHaveActed = Number((await deps.redis.hget(k.shadowCounts, `${current.version}:${rule.id}`)) ?? 0);
        const all = (await deps.redis.lrange(k.shadowSamples(rule.id), 0, 19)).map((s) => JSON.parse(s) as ShadowSample);
        const samples = restriction ? all.filter((s) => s.where === 'query' && !restrictedSearch(restriction, s.sample)) : all;
        return { ...base, wouldHaveActed, samples: samples.slice(0, SAMPLES) };
      }),
  );
  return { version: current.version, rules, ...(restriction ? { restricted: { notice: CONTENT_SAMPLE_NOTICE } } : {}) };
}
