import type { IndexDefinition } from '../indices/ensure-index';

/**
 * The legal desk's own indices, with explicit strict mappings. Requests and
 * approvals live in Elasticsearch: a write is acknowledged only once its
 * translog is fsynced (index.translog.durability: request, the default,
 * pinned here), so an acknowledged request survives a crash of the node.
 * Target values and documents are stored, never indexed: nobody searches
 * the desk by phone number.
 */

const settings = (replicas: number) => ({ number_of_shards: 1, number_of_replicas: replicas, refresh_interval: '1s', translog: { durability: 'request' as const } });

const stored = { type: 'keyword', index: false, doc_values: false } as const;
const text = { type: 'text', index: false } as const;
const date = { type: 'date' } as const;
const keyword = { type: 'keyword' } as const;
/** Free-form evidence: kept in _source, not mapped field by field. */
const opaque = { type: 'object', enabled: false } as const;

const legalProcess = {
  properties: {
    kind: keyword,
    reference: keyword,
    issuedBy: text,
    issuedAt: keyword,
    document: {
      properties: { id: keyword, sha256: keyword, bytes: { type: 'long' }, uploadedAt: date, uploadedBy: keyword },
    },
  },
} as const;

export function legalRequestsIndexDefinition(replicas: number): IndexDefinition {
  return {
    settings: settings(replicas),
    mappings: {
      dynamic: 'strict',
      properties: {
        id: keyword,
        type: keyword,
        state: keyword,
        agency: { properties: { id: keyword, name: text, country: keyword, function: keyword } },
        requester: { properties: { name: text, email: stored } },
        enteredBy: keyword,
        enteredVia: keyword,
        legalProcess,
        legalBasis: text,
        offenceCategory: keyword,
        statesSuspect: { type: 'boolean' },
        targets: {
          properties: {
            index: { type: 'integer' },
            kind: keyword,
            value: stored,
            valueSha256: keyword,
            role: keyword,
            resolution: {
              properties: { status: keyword, resolved: { type: 'boolean' }, accounts: { properties: { accountId: stored, phoneCountry: keyword } }, reason: text, checkedAt: date },
            },
            decision: { properties: { produce: { type: 'boolean' }, reason: keyword, note: text, by: keyword, at: date } },
          },
        },
        dataRequested: keyword,
        period: { properties: { from: date, to: date } },
        effectivePeriod: { properties: { from: date, to: date } },
        nonDisclosureUntil: date,
        dueAt: date,
        emergency: {
          properties: {
            description: text,
            disclosedAt: date,
            disclosedBy: keyword,
            followUpDueAt: date,
            followUp: { properties: { legalProcess, attachedAt: date, attachedBy: keyword } },
            overAt: date,
            overBy: keyword,
          },
        },
        problems: opaque,
        approvals: { properties: { by: keyword, at: date } },
        rejection: { properties: { reason: keyword, note: text, by: keyword, at: date } },
        withdrawal: { properties: { note: text, by: keyword, at: date } },
        times: {
          properties: {
            receivedAt: date,
            acknowledgedAt: date,
            approvedAt: date,
            packageProducedAt: date,
            deliveredAt: date,
            rejectedAt: date,
            withdrawnAt: date,
          },
        },
        package: {
          properties: {
            id: keyword,
            manifestSha256: keyword,
            sha256: keyword,
            builtAt: date,
            expiresAt: date,
            deletedAt: date,
            counts: { properties: { accounts: { type: 'integer' }, ipAddresses: { type: 'integer' }, phoneNumbers: { type: 'integer' } } },
            downloads: { type: 'integer' },
          },
        },
        preservation: {
          properties: {
            preservedAt: date,
            expiresAt: date,
            extendedAt: date,
            extendedBy: keyword,
            signIns: { type: 'long' },
            accounts: { type: 'integer' },
            deletedAt: date,
          },
        },
        notices: {
          properties: {
            id: keyword,
            targetIndex: { type: 'integer' },
            accountId: stored,
            state: keyword,
            heldBy: keyword,
            dueAt: date,
            deliveredAt: date,
            deliveredBy: keyword,
          },
        },
        history: opaque,
        updatedAt: date,
      },
    },
  };
}

/** The legal process documents (PDFs): binary, stored, never indexed, never in a listing. */
export function legalDocumentsIndexDefinition(replicas: number): IndexDefinition {
  return {
    settings: settings(replicas),
    mappings: {
      dynamic: 'strict',
      properties: {
        requestId: keyword,
        sha256: keyword,
        bytes: { type: 'long' },
        contentType: keyword,
        data: { type: 'binary' },
        uploadedAt: date,
        uploadedBy: keyword,
      },
    },
  };
}

export function legalAgenciesIndexDefinition(replicas: number): IndexDefinition {
  return {
    settings: settings(replicas),
    mappings: {
      dynamic: 'strict',
      properties: { id: keyword, name: { type: 'text', fields: { raw: keyword } }, country: keyword, function: keyword, createdAt: date, createdBy: keyword },
    },
  };
}

/** Copies of preserved sign-ins: one document per sign-in, deleted when the request's preservation expires (its record says when). */
export function legalPreservationsIndexDefinition(replicas: number): IndexDefinition {
  return {
    settings: settings(replicas),
    mappings: {
      dynamic: 'strict',
      properties: {
        requestId: keyword,
        targetIndex: { type: 'integer' },
        accountId: stored,
        ip: stored,
        at: date,
        preservedAt: date,
      },
    },
  };
}

/** Disclosure packages, encrypted at rest: the ciphertext is stored, never indexed. */
export function legalPackagesIndexDefinition(replicas: number): IndexDefinition {
  return {
    settings: settings(replicas),
    mappings: {
      dynamic: 'strict',
      properties: {
        requestId: keyword,
        manifestSha256: keyword,
        sealed: opaque,
        data: { type: 'binary' },
        bytes: { type: 'long' },
        createdAt: date,
        expiresAt: date,
      },
    },
  };
}
