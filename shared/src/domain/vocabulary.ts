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

/** moderation.state on a content document. `none` is the absence of a decision. */
export const MODERATION_STATES = ['none', 'suspected', 'removed', 'restricted', 'labelled'] as const;
export type ModerationState = (typeof MODERATION_STATES)[number];

export const DECISION_ACTIONS = ['remove', 'keep', 'escalate', 'restrict', 'label'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/** Languages the demo corpus and the shipped term lists cover. */
export const DEMO_LANGUAGES = ['en', 'ru', 'ar'] as const;
export type DemoLanguage = (typeof DEMO_LANGUAGES)[number];
