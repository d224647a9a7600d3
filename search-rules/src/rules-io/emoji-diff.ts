import type { EmojiDiff } from '@takedown/shared';
import { SHIPPED_EMOJI_WORDS } from '../lists/emoji-words';

/**
 * What publishing one emoji table over another changes, by emoji (undefined
 * stands for the shipped table); undefined when nothing did, so a version's
 * record carries it only when the table changed.
 */
export function diffEmojiWords(previous: Readonly<Record<string, string>> | undefined, next: Readonly<Record<string, string>> | undefined): EmojiDiff | undefined {
  const before = previous ?? SHIPPED_EMOJI_WORDS;
  const after = next ?? SHIPPED_EMOJI_WORDS;
  const diff: EmojiDiff = { added: [], removed: [], changed: [] };
  for (const [emoji, word] of Object.entries(after)) {
    if (!Object.hasOwn(before, emoji)) diff.added.push(emoji);
    else if (before[emoji] !== word) diff.changed.push(emoji);
  }
  for (const emoji of Object.keys(before)) if (!Object.hasOwn(after, emoji)) diff.removed.push(emoji);
  return diff.added.length + diff.removed.length + diff.changed.length === 0 ? undefined : diff;
}
