import type { ElasticsearchClient, StoredStatement } from '@takedown/shared';

/**
 * A statement body the Transparency Database accepts (its July 2025 rules),
 * written by hand, not by Takedown's mapping, so the submitter's tests do
 * not depend on it.
 */
export function tdbStatement(puid: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
    decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
    illegal_content_legal_ground: 'Art. 3(1) Directive 2017/541 (terrorist offences)',
    illegal_content_explanation: 'The post calls for attacks on a named group.',
    content_type: ['CONTENT_TYPE_TEXT', 'CONTENT_TYPE_IMAGE'],
    category: 'STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY',
    category_specification: ['KEYWORD_TERRORIST_CONTENT'],
    territorial_scope: ['AT', 'BE', 'DE', 'FR', 'GR', 'IS', 'LI', 'NO'],
    content_language: 'DE',
    content_date: '2026-11-20',
    application_date: '2026-11-28',
    decision_facts: 'Removed after review of a notice: the post incites violence.',
    source_type: 'SOURCE_ARTICLE_16',
    automated_detection: 'No',
    automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
    puid,
    ...overrides,
  };
}

/** A pending stored statement (the contract's shape) around `statement`. */
export function storedStatement(puid: string, statement: Record<string, unknown> = tdbStatement(puid), createdAt = new Date().toISOString()): StoredStatement {
  return {
    puid,
    decisionId: puid,
    caseId: `case-${puid}`,
    contentId: `content-${puid}`,
    createdAt,
    decidedAt: createdAt,
    status: 'pending',
    statement,
    category: String(statement['category']),
    decision_ground: String(statement['decision_ground']),
    source_type: String(statement['source_type']),
    automated_detection: String(statement['automated_detection']),
    automated_decision: String(statement['automated_decision']),
    takedownCategory: 'terrorism',
  };
}

/** Writes stored statements as the actions worker would, visible to searches at once. */
export async function seedStatements(es: ElasticsearchClient, index: string, docs: readonly StoredStatement[]): Promise<void> {
  const operations = docs.flatMap((d) => [{ create: { _index: index, _id: d.puid } }, d]);
  const r = await es.bulk({ operations, refresh: 'wait_for' });
  if (r.errors) throw new Error(`seeding statements failed: ${JSON.stringify(r.items.find((i) => i.create?.error))}`);
}

export async function readStatement(es: ElasticsearchClient, index: string, puid: string): Promise<StoredStatement> {
  const r = await es.get<StoredStatement>({ index, id: puid });
  if (!r._source) throw new Error(`statement ${puid} not found`);
  return r._source;
}
