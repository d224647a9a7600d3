import type { Client } from '@elastic/elasticsearch';
import { ensureIndex, type IndexDefinition } from '../indices/ensure-index';

/**
 * The platform's subscriber indices, as Takedown creates them for
 * development and the demo. In production the platform owns and fills them;
 * the desk needs these fields with these types (keywords and dates with doc
 * values, `ip` of type ip) and reads nothing else.
 *
 * `dynamic: false`: a platform's account documents carry far more than
 * these fields (a name, settings, devices); they stay in the source,
 * unindexed, and the desk never reads them.
 */
export function accountsIndexDefinition(replicas: number): IndexDefinition {
  return {
    settings: { number_of_shards: 1, number_of_replicas: replicas },
    mappings: {
      dynamic: false,
      properties: {
        accountId: { type: 'keyword' },
        username: { type: 'keyword' },
        phone: { type: 'keyword' },
        phoneCountry: { type: 'keyword' },
        createdAt: { type: 'date' },
      },
    },
  };
}

/** One document per sign-in. `ip` holds IPv4 and IPv6 alike. */
export function signInsIndexDefinition(replicas: number): IndexDefinition {
  return {
    settings: { number_of_shards: 1, number_of_replicas: replicas },
    mappings: {
      dynamic: false,
      properties: {
        accountId: { type: 'keyword' },
        ip: { type: 'ip' },
        at: { type: 'date' },
      },
    },
  };
}

export interface SubscriberIndexNames {
  accounts: string;
  signIns: string;
}

/** Creates both indices when missing (development, demo, tests); an existing index is left as it is. */
export async function ensureSubscriberIndices(es: Client, names: SubscriberIndexNames, replicas: number): Promise<void> {
  await ensureIndex(es, names.accounts, accountsIndexDefinition(replicas));
  // A pattern over time-based indices (platform-signins-*) is the platform's to create.
  if (!names.signIns.includes('*')) await ensureIndex(es, names.signIns, signInsIndexDefinition(replicas));
}
