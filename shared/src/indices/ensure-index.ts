import type { Client, estypes } from '@elastic/elasticsearch';
import { contentIndexDefinition, moderationMapping } from './content-index';

export interface IndexDefinition {
  settings?: estypes.IndicesIndexSettings;
  mappings: estypes.MappingTypeMapping;
}

/**
 * Creates the index if missing. Safe under races: a concurrent creator's
 * resource_already_exists is success. An existing index keeps its settings.
 */
export async function ensureIndex(es: Client, name: string, def: IndexDefinition): Promise<'created' | 'exists'> {
  if (await es.indices.exists({ index: name })) return 'exists';
  try {
    await es.indices.create({ index: name, settings: def.settings, mappings: def.mappings, wait_for_active_shards: 1 });
    return 'created';
  } catch (err) {
    if (errorType(err) === 'resource_already_exists_exception') return 'exists';
    throw err;
  }
}

/**
 * Makes `name` usable as the content index: creates it with our full mapping
 * when missing, or adds only the moderation.* fields to the platform's index.
 */
export async function ensureContentIndex(es: Client, name: string, replicas: number): Promise<'created' | 'exists'> {
  const result = await ensureIndex(es, name, contentIndexDefinition(replicas));
  if (result === 'exists') {
    await es.indices.putMapping({ index: name, properties: { moderation: moderationMapping } });
  }
  return result;
}

function errorType(err: unknown): string | undefined {
  const body = (err as { meta?: { body?: { error?: { type?: string } } } }).meta?.body;
  return body?.error?.type;
}
