/**
 * Closed vocabularies shared by schemas, rules, triage and the console.
 * Adding a value here is a product decision: severity and routing key off it.
 */
export const CATEGORIES = ['csam', 'terrorism', 'drugs', 'weapons', 'fraud', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export const REPORTER_TYPES = ['user', 'trusted_flagger', 'automated', 'authority'] as const;
export type ReporterType = (typeof REPORTER_TYPES)[number];

export const CONTENT_TYPES = ['post', 'comment', 'message', 'channel', 'profile', 'media'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/**
 * moderation.state on a content document. `none`: visible; `suspected`:
 * demoted; `excluded`: hidden by a content rule, nobody decided yet;
 * `removed`: taken down (a decision, or an auto_remove rule); `restricted`:
 * hidden in some countries; `labelled`: visible with a label.
 */
export const MODERATION_STATES = ['none', 'suspected', 'excluded', 'removed', 'restricted', 'labelled'] as const;

/** States the search service never returns (restricted is hidden per country). */
export const HIDDEN_STATES = ['removed', 'excluded'] as const;
export type ModerationState = (typeof MODERATION_STATES)[number];

export const DECISION_ACTIONS = ['remove', 'keep', 'escalate', 'restrict', 'label'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/** Languages the demo corpus and the shipped term lists cover. */
export const DEMO_LANGUAGES = ['en', 'ru', 'ar'] as const;
export type DemoLanguage = (typeof DEMO_LANGUAGES)[number];
