import type { Category, ReporterType } from '../domain/vocabulary';
import type { CaseRecord, DecisionRecord } from './case-record';

/**
 * DSA Art. 17 statement of reasons in the Transparency Database's "v2"
 * field names and values (see compliance.md). Built for every decision that
 * restricts content; `decision_facts` carries no personal data (Art. 24(5)).
 */
export interface StatementOfReasons {
  puid: string;
  decision_visibility: string[];
  decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT';
  illegal_content_legal_ground: string;
  illegal_content_explanation: string;
  content_type: string[];
  category: string;
  category_specification?: string[];
  territorial_scope: string[];
  content_language?: string;
  content_date: string;
  application_date: string;
  decision_facts: string;
  source_type: string;
  automated_detection: 'Yes' | 'No';
  automated_decision: 'AUTOMATED_DECISION_FULLY' | 'AUTOMATED_DECISION_PARTIALLY' | 'AUTOMATED_DECISION_NOT_AUTOMATED';
  caseId: string;
  contentId: string;
  createdAt: string;
}

const CATEGORY: Readonly<Record<Category, { category: string; spec?: string }>> = {
  csam: { category: 'STATEMENT_CATEGORY_PROTECTION_OF_MINORS', spec: 'KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL' },
  terrorism: { category: 'STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY', spec: 'KEYWORD_TERRORIST_CONTENT' },
  drugs: { category: 'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS', spec: 'KEYWORD_PROHIBITED_PRODUCTS' },
  weapons: { category: 'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS', spec: 'KEYWORD_PROHIBITED_PRODUCTS' },
  fraud: { category: 'STATEMENT_CATEGORY_SCAMS_AND_FRAUD' },
  other: { category: 'STATEMENT_CATEGORY_OTHER_VIOLATION_TC' },
};

const SOURCE: Readonly<Record<ReporterType, string>> = {
  user: 'SOURCE_ARTICLE_16',
  trusted_flagger: 'SOURCE_TRUSTED_FLAGGER',
  authority: 'SOURCE_TYPE_OTHER_NOTIFICATION',
  automated: 'SOURCE_VOLUNTARY',
};

const VISIBILITY: Readonly<Record<string, string>> = {
  remove: 'DECISION_VISIBILITY_CONTENT_REMOVED',
  restrict: 'DECISION_VISIBILITY_CONTENT_DISABLED',
  label: 'DECISION_VISIBILITY_CONTENT_LABELLED',
};

/** EU-27 plus Iceland, Liechtenstein and Norway: the scope when a decision applies everywhere. */
export const EEA = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL',
  'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO',
] as const;

const day = (iso: string) => iso.slice(0, 10);

/** The statement for a decision, or undefined for decisions that restrict nothing (keep, escalate). */
export function statementOfReasons(c: CaseRecord, d: DecisionRecord): StatementOfReasons | undefined {
  const visibility = VISIBILITY[d.action];
  if (!visibility) return undefined;
  const cat = CATEGORY[d.category];
  // The strongest notice source among the reports; none at all means we found it ourselves.
  const order: ReporterType[] = ['trusted_flagger', 'user', 'authority', 'automated'];
  const source = order.find((t) => c.reporterTypes.includes(t)) ?? 'automated';
  const detectedAutomatically = c.ruleHits.some((h) => !h.shadow) || c.reporterTypes.includes('automated');
  const scope = d.action === 'restrict' && d.countries ? d.countries.filter((x) => (EEA as readonly string[]).includes(x)) : [...EEA];
  const contentType = c.content.type === 'media' ? 'CONTENT_TYPE_IMAGE' : 'CONTENT_TYPE_TEXT';
  return {
    puid: d.id,
    decision_visibility: [visibility],
    decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
    illegal_content_legal_ground: d.legalGround.slice(0, 500),
    illegal_content_explanation: `Content assessed as ${d.category} under the cited legal ground.`,
    content_type: [contentType],
    category: cat.category,
    ...(cat.spec ? { category_specification: [cat.spec] } : {}),
    territorial_scope: scope,
    ...(c.content.lang ? { content_language: c.content.lang.slice(0, 2).toUpperCase() } : {}),
    content_date: day(c.content.createdAt ?? c.firstReportedAt),
    application_date: day(d.decidedAt),
    // Generic on purpose: no names, ids or quotes of the content (Art. 24(5)).
    decision_facts: `The ${c.content.type} was reviewed after ${c.reportCount} notice(s) and found to be ${d.category} content; action: ${d.action}.`,
    source_type: SOURCE[source],
    automated_detection: detectedAutomatically ? 'Yes' : 'No',
    automated_decision: d.automated ? 'AUTOMATED_DECISION_FULLY' : 'AUTOMATED_DECISION_NOT_AUTOMATED',
    caseId: c.id,
    contentId: c.contentId,
    createdAt: new Date().toISOString(),
  };
}
