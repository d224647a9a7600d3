import type { RedisClient } from '../clients/redis';
import { runScript } from '../moderation/lua-scripts';
import type { RulesetKeys, RulesetStore } from './ruleset-store';

export interface DraftMeta {
  baseVersion: number | null;
  updatedAt: string;
  updatedBy: string;
}

/** How the items of a draft are named: rules by `id`, features by `key`. */
export type ItemId = (item: unknown) => string;
const byId: ItemId = (item) => (item as { id: string }).id;

/**
 * The draft ruleset leads edit before publishing: a Redis hash of rule id →
 * rule, so single-rule edits are atomic, and whole imports replace it in one
 * MULTI (all or nothing). A draft that was never edited starts as a copy of
 * the published version (init-draft-2.lua). Rules are validated by the caller (search-rules).
 */
export class DraftStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RulesetKeys,
    private readonly published: RulesetStore,
    private readonly idOf: ItemId = byId,
  ) {}

  async rules(): Promise<{ id: string }[]> {
    await this.ensure();
    const all = await this.redis.hvals(this.keys.draft);
    return all.map((r) => JSON.parse(r) as { id: string }).sort((a, b) => this.idOf(a).localeCompare(this.idOf(b)));
  }

  /**
   * Changes whenever the draft's rules do (every write bumps `rev` in the
   * same MULTI; a re-initialised draft has a new `updatedAt`), so a reader
   * may keep the parsed rules until it changes. Read it before the rules:
   * a write in between then only makes the next read redo the work.
   */
  async revision(): Promise<string> {
    await this.ensure();
    const [rev, at] = await this.redis.hmget(this.keys.draftMeta, 'rev', 'updatedAt');
    return `${rev ?? '0'}@${at ?? ''}`;
  }

  async get(id: string): Promise<unknown> {
    await this.ensure();
    const raw = await this.redis.hget(this.keys.draft, id);
    return raw === null ? undefined : (JSON.parse(raw) as unknown);
  }

  async meta(): Promise<DraftMeta> {
    await this.ensure();
    const m = await this.redis.hgetall(this.keys.draftMeta);
    return { baseVersion: m['baseVersion'] ? Number(m['baseVersion']) : null, updatedAt: m['updatedAt'] ?? '', updatedBy: m['updatedBy'] ?? '' };
  }

  async put(rule: object, by: string): Promise<void> {
    await this.ensure();
    await this.redis.multi().hset(this.keys.draft, this.idOf(rule), JSON.stringify(rule)).hset(this.keys.draftMeta, 'updatedAt', new Date().toISOString(), 'updatedBy', by).hincrby(this.keys.draftMeta, 'rev', 1).exec();
  }

  /** Removes a rule; false when the draft had no such rule. */
  async remove(id: string, by: string): Promise<boolean> {
    await this.ensure();
    const [[, removed] = []] = (await this.redis.multi().hdel(this.keys.draft, id).hset(this.keys.draftMeta, 'updatedAt', new Date().toISOString(), 'updatedBy', by).hincrby(this.keys.draftMeta, 'rev', 1).exec()) ?? [];
    return Number(removed) === 1;
  }

  /**
   * The draft's emoji table: the one a lead saved, else the published
   * version's; undefined means the shipped table (search-rules owns it).
   */
  async emojiWords(): Promise<Record<string, string> | undefined> {
    const raw = await this.redis.get(this.keys.draftEmoji);
    if (raw !== null) return JSON.parse(raw) as Record<string, string>;
    return (await this.published.current())?.emojiWords;
  }

  /** Replaces the draft's emoji table (validated by the caller); undefined forgets the edit, so the published table shows again. */
  async putEmojiWords(table: Record<string, string> | undefined, by: string): Promise<void> {
    await this.ensure();
    const m = this.redis.multi();
    if (table === undefined) m.del(this.keys.draftEmoji);
    else m.set(this.keys.draftEmoji, JSON.stringify(table));
    await m.hset(this.keys.draftMeta, 'updatedAt', new Date().toISOString(), 'updatedBy', by).exec();
  }

  /** Replaces the whole draft (`replace`) or upserts these rules into it (`merge`), atomically. */
  async importRules(rules: object[], mode: 'replace' | 'merge', by: string, baseVersion?: number): Promise<void> {
    await this.ensure();
    const m = this.redis.multi();
    if (mode === 'replace') m.del(this.keys.draft);
    for (let i = 0; i < rules.length; i += 1000) {
      const chunk = rules.slice(i, i + 1000).flatMap((r) => [this.idOf(r), JSON.stringify(r)]);
      if (chunk.length > 0) m.hset(this.keys.draft, ...chunk);
    }
    m.hset(this.keys.draftMeta, 'updatedAt', new Date().toISOString(), 'updatedBy', by).hincrby(this.keys.draftMeta, 'rev', 1);
    if (baseVersion !== undefined) m.hset(this.keys.draftMeta, 'baseVersion', String(baseVersion));
    await m.exec();
  }

  /**
   * A draft that was never edited starts as the published version, written
   * with its meta in one step (init-draft-2.lua) and only while no meta
   * exists: a failed init leaves nothing behind and the next call redoes it.
   */
  private async ensure(): Promise<void> {
    if ((await this.redis.exists(this.keys.draftMeta)) === 1) return;
    const current = await this.published.current();
    const rules = current?.rules ?? [];
    await runScript(this.redis, 'init-draft', [this.keys.draftMeta, this.keys.draft], [current ? String(current.version) : '', new Date().toISOString(), ...rules.flatMap((r) => [this.idOf(r), JSON.stringify(r)])]);
  }
}
