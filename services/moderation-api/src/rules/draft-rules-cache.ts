import type { DraftStore } from '@takedown/shared';
import type { Rule } from '@takedown/search-rules';

/**
 * The draft's rules, parsed once per draft revision: reading and parsing a
 * 50,000-rule draft costs a few hundred milliseconds of event loop, and the
 * rules page asks for a page on every keystroke and click. One entry: the
 * latest revision; requests that arrive while it loads share the load.
 */
export class DraftRulesCache {
  private entry: { rev: string; rules: Promise<Rule[]> } | undefined;

  constructor(private readonly drafts: DraftStore) {}

  async rules(): Promise<Rule[]> {
    const rev = await this.drafts.revision();
    if (this.entry?.rev !== rev) {
      const rules = this.drafts.rules() as Promise<Rule[]>;
      this.entry = { rev, rules };
      // A failed read is not kept: the next request tries again.
      rules.catch(() => {
        if (this.entry?.rules === rules) this.entry = undefined;
      });
    }
    return this.entry.rules;
  }
}
