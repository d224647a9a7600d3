import type { Category } from '../domain/vocabulary';
import type { Keyword, StatementCategory } from './tdb-vocabulary';

/**
 * Takedown's categories in the Transparency Database's terms, and the
 * grounds a statement cites when nobody wrote one: for automated removals
 * (an auto_remove rule at triage or ingest decides with no human, and its
 * rule id is internal, never a ground) and when a moderator gives no
 * explanation. Operators should read these against their own terms and the
 * laws of the states they serve; a moderator's own legal ground always
 * wins for a human decision.
 */

/** How a decision is grounded (DSA Art. 17(3)(d) and (e)). */
export const DECISION_GROUND_KINDS = ['illegal_content', 'terms_and_conditions'] as const;
export type DecisionGroundKind = (typeof DECISION_GROUND_KINDS)[number];

export interface CategoryMapping {
  category: StatementCategory;
  keywords: Keyword[];
  /** The ground a decision of this category takes unless the moderator chose one. */
  defaultGround: DecisionGroundKind;
  /** What the content is, for generic facts ("…as {noun}"). */
  noun: string;
}

/**
 * `other` is a terms-and-conditions category: the database has no category
 * for unspecified illegal content decided on the platform's own review, so
 * a decision of category `other` is always a terms decision (the API
 * refuses `ground: illegal_content` with it; a moderator who finds it
 * illegal too says so with `alsoIllegal`).
 */
export const CATEGORY_MAPPING: Readonly<Record<Category, CategoryMapping>> = {
  csam: { category: 'STATEMENT_CATEGORY_PROTECTION_OF_MINORS', keywords: ['KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL'], defaultGround: 'illegal_content', noun: 'child sexual abuse material' },
  terrorism: { category: 'STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY', keywords: ['KEYWORD_TERRORIST_CONTENT'], defaultGround: 'illegal_content', noun: 'terrorist content' },
  drugs: { category: 'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS', keywords: ['KEYWORD_PROHIBITED_PRODUCTS'], defaultGround: 'illegal_content', noun: 'an offer or promotion of illegal drugs' },
  weapons: { category: 'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS', keywords: ['KEYWORD_PROHIBITED_PRODUCTS'], defaultGround: 'illegal_content', noun: 'an illegal offer of weapons' },
  fraud: { category: 'STATEMENT_CATEGORY_SCAMS_AND_FRAUD', keywords: [], defaultGround: 'illegal_content', noun: 'a scam or fraud' },
  other: { category: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC', keywords: [], defaultGround: 'terms_and_conditions', noun: 'content the terms of service do not allow' },
};

/** Whether a category may be decided on the illegal-content ground. */
export function illegalGroundAllowed(category: Category): boolean {
  return category !== 'other';
}

export interface DefaultGround {
  /** illegal_content_legal_ground, or incompatible_content_ground for a terms decision. */
  ground: string;
  /** illegal_content_explanation, or incompatible_content_explanation. */
  explanation: string;
}

/** The law most often relied on for each illegal category (EU instruments as transposed by the member states). */
export const DEFAULT_LEGAL_GROUNDS: Readonly<Record<Exclude<Category, 'other'>, DefaultGround>> = {
  csam: {
    ground: 'Directive 2011/93/EU on combating the sexual abuse and sexual exploitation of children (Art. 5), as transposed into national criminal law',
    explanation: 'The content depicts the sexual abuse of a child. Distributing or making available such material is a criminal offence in every member state.',
  },
  terrorism: {
    ground: 'Directive (EU) 2017/541 on combating terrorism (Art. 5, public provocation) and Regulation (EU) 2021/784 on terrorist content online',
    explanation: 'The content incites, glorifies or supports terrorist offences. Disseminating such content is prohibited under EU and national law.',
  },
  drugs: {
    ground: 'National law on narcotic drugs and psychotropic substances (Council Framework Decision 2004/757/JHA)',
    explanation: 'The content offers or promotes the sale of controlled drugs. Trafficking and offering controlled substances is a criminal offence.',
  },
  weapons: {
    ground: 'National law on firearms and weapons (Directive (EU) 2021/555 on control of the acquisition and possession of weapons)',
    explanation: 'The content offers weapons for sale outside the licensing rules. Trading weapons without authorisation is prohibited.',
  },
  fraud: {
    ground: 'National criminal law on fraud (Directive (EU) 2019/713 on combating fraud and counterfeiting of non-cash means of payment)',
    explanation: 'The content is designed to deceive people into handing over money or payment data. Such deception is a criminal offence.',
  },
};

/** The terms-and-conditions clause relied on when a decision does not name one (automated removals). */
export const DEFAULT_TERMS_GROUND: Readonly<Record<Category, DefaultGround>> = {
  csam: { ground: "The platform's terms of service: content that sexualises minors is prohibited", explanation: 'The content sexualises minors, which the terms of service prohibit.' },
  terrorism: { ground: "The platform's terms of service: violent extremist and terrorist content is prohibited", explanation: 'The content supports violent extremism or terrorism, which the terms of service prohibit.' },
  drugs: { ground: "The platform's terms of service: offering drugs is prohibited", explanation: 'The content offers or promotes drugs, which the terms of service prohibit.' },
  weapons: { ground: "The platform's terms of service: offering weapons is prohibited", explanation: 'The content offers weapons, which the terms of service prohibit.' },
  fraud: { ground: "The platform's terms of service: scams and deceptive content are prohibited", explanation: 'The content is deceptive or a scam, which the terms of service prohibit.' },
  other: { ground: "The platform's terms of service", explanation: 'The content breaches the terms of service.' },
};

/** The ground and explanation a decision cites when nobody wrote them. */
export function defaultGround(category: Category, kind: DecisionGroundKind): DefaultGround {
  if (kind === 'illegal_content' && category !== 'other') return DEFAULT_LEGAL_GROUNDS[category];
  return DEFAULT_TERMS_GROUND[category];
}
