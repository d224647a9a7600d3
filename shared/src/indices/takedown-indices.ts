import type { Client } from '@elastic/elasticsearch';
import { ensureIndex, type IndexDefinition } from './ensure-index';
import {
  legalAgenciesIndexDefinition,
  legalDocumentsIndexDefinition,
  legalPackagesIndexDefinition,
  legalPreservationsIndexDefinition,
  legalRequestsIndexDefinition,
} from '../legal/legal-indices';

/**
 * The indices Takedown owns, each named `<TAKEDOWN_INDEX_PREFIX>-<name>`,
 * with explicit, strict mappings.
 */
export interface TakedownIndexNames {
  cases: string;
  audit: string;
  statements: string;
  /** The legal desk: requests and approvals (the durable record), their documents, agencies, preserved sign-ins, packages. */
  legalRequests: string;
  legalDocuments: string;
  legalAgencies: string;
  legalPreservations: string;
  legalPackages: string;
}

export function takedownIndexNames(indexPrefix: string): TakedownIndexNames {
  return {
    cases: `${indexPrefix}-cases`,
    audit: `${indexPrefix}-audit`,
    statements: `${indexPrefix}-statements`,
    legalRequests: `${indexPrefix}-legal-requests`,
    legalDocuments: `${indexPrefix}-legal-documents`,
    legalAgencies: `${indexPrefix}-legal-agencies`,
    legalPreservations: `${indexPrefix}-legal-preservations`,
    legalPackages: `${indexPrefix}-legal-packages`,
  };
}

const settings = (replicas: number) => ({ number_of_shards: 1, number_of_replicas: replicas, refresh_interval: '1s' });

/** Cases mirrored from Redis (the source of truth) for listing, filtering and sorting. */
export function casesIndexDefinition(replicas: number): IndexDefinition {
  return {
    settings: settings(replicas),
    mappings: {
      dynamic: 'strict',
      properties: {
        id: { type: 'keyword' },
        contentId: { type: 'keyword' },
        status: { type: 'keyword' },
        lane: { type: 'keyword' },
        priority: { type: 'integer' },
        category: { type: 'keyword' },
        reportCount: { type: 'integer' },
        reporterTypes: { type: 'keyword' },
        ruleIds: { type: 'keyword' },
        authorId: { type: 'keyword' },
        contentType: { type: 'keyword' },
        firstReportedAt: { type: 'date' },
        lastReportedAt: { type: 'date' },
        lastDecisionId: { type: 'keyword' },
        lastAction: { type: 'keyword' },
        decidedBy: { type: 'keyword' },
        decidedAt: { type: 'date' },
        leaseHolder: { type: 'keyword' },
        appealOf: { type: 'keyword' },
        csam: { type: 'boolean' },
        categoryMove: {
          properties: {
            id: { type: 'keyword' },
            from: { type: 'keyword' },
            to: { type: 'keyword' },
            fromLane: { type: 'keyword' },
            requestedBy: { type: 'keyword' },
            requestedAt: { type: 'date' },
            reason: { type: 'text', index: false },
          },
        },
        rev: { type: 'long' },
      },
    },
  };
}

/**
 * Audit events: append-only (op_type create, _id = seq), each carrying the
 * SHA-256 of the previous one. `data` is stored, not indexed: it is evidence,
 * not something to search on.
 */
export function auditIndexDefinition(replicas: number): IndexDefinition {
  return {
    settings: settings(replicas),
    mappings: {
      dynamic: 'strict',
      properties: {
        seq: { type: 'long' },
        streamId: { type: 'keyword' },
        type: { type: 'keyword' },
        /** data.action of decision events, copied up so dashboards can aggregate on it. */
        action: { type: 'keyword' },
        /** data.category likewise: dashboards leave csam figures out for callers without the grant. */
        category: { type: 'keyword' },
        actor: { type: 'keyword' },
        at: { type: 'date' },
        caseId: { type: 'keyword' },
        contentId: { type: 'keyword' },
        data: { type: 'object', enabled: false },
        prevHash: { type: 'keyword' },
        hash: { type: 'keyword' },
      },
    },
  };
}

/** DSA Art. 17 statements of reasons, in the Transparency Database's field names. */
export function statementsIndexDefinition(replicas: number): IndexDefinition {
  return {
    settings: settings(replicas),
    mappings: {
      dynamic: 'strict',
      properties: {
        puid: { type: 'keyword' },
        decision_visibility: { type: 'keyword' },
        decision_ground: { type: 'keyword' },
        illegal_content_legal_ground: { type: 'keyword' },
        illegal_content_explanation: { type: 'text', index: false },
        content_type: { type: 'keyword' },
        category: { type: 'keyword' },
        category_specification: { type: 'keyword' },
        territorial_scope: { type: 'keyword' },
        content_language: { type: 'keyword' },
        content_date: { type: 'keyword' },
        application_date: { type: 'keyword' },
        decision_facts: { type: 'text', index: false },
        source_type: { type: 'keyword' },
        automated_detection: { type: 'keyword' },
        automated_decision: { type: 'keyword' },
        caseId: { type: 'keyword' },
        contentId: { type: 'keyword' },
        createdAt: { type: 'date' },
        submittedAt: { type: 'date' },
        // The stored-statement shape (shared/src/dsa/stored-statement.ts); the flat fields above stay for old documents.
        decisionId: { type: 'keyword' },
        decidedAt: { type: 'date' },
        status: { type: 'keyword' },
        problems: {
          properties: {
            field: { type: 'keyword' },
            code: { type: 'keyword' },
            message: { type: 'text', index: false },
          },
        },
        statement: { type: 'object', enabled: false },
        takedownCategory: { type: 'keyword' },
        appealOf: { type: 'keyword' },
        attempts: { type: 'integer' },
        nextAttemptAt: { type: 'date' },
        lastError: { type: 'text', index: false },
        duplicate: { type: 'boolean' },
        tdbUuid: { type: 'keyword' },
      },
    },
  };
}

/**
 * Creates Takedown's own indices when missing, and adds fields new since an
 * existing one was created: the mappings are strict, so a writer sending a
 * new field to an old index would fail every write (fields are only ever
 * added, which put-mapping allows).
 */
export async function ensureTakedownIndices(es: Client, indexPrefix: string, replicas: number): Promise<TakedownIndexNames> {
  const names = takedownIndexNames(indexPrefix);
  const defs: [string, IndexDefinition][] = [
    [names.cases, casesIndexDefinition(replicas)],
    [names.audit, auditIndexDefinition(replicas)],
    [names.statements, statementsIndexDefinition(replicas)],
    [names.legalRequests, legalRequestsIndexDefinition(replicas)],
    [names.legalDocuments, legalDocumentsIndexDefinition(replicas)],
    [names.legalAgencies, legalAgenciesIndexDefinition(replicas)],
    [names.legalPreservations, legalPreservationsIndexDefinition(replicas)],
    [names.legalPackages, legalPackagesIndexDefinition(replicas)],
  ];
  for (const [name, def] of defs) {
    if ((await ensureIndex(es, name, def)) === 'exists' && def.mappings.properties) {
      await es.indices.putMapping({ index: name, properties: def.mappings.properties });
    }
  }
  return names;
}
