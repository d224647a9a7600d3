import { SHIPPED_EMOJI_WORDS } from '../lists/emoji-words';
import { diffEmojiWords } from './emoji-diff';

describe('diffEmojiWords', () => {
  it('names added, removed and changed emoji, with undefined standing for the shipped table', () => {
    const { '❄': _snow, ...withoutSnow } = SHIPPED_EMOJI_WORDS;
    expect(diffEmojiWords(undefined, { ...withoutSnow, '🍭': 'mdma', '⛄': 'snowman' })).toEqual({ added: ['🍭'], removed: ['❄'], changed: ['⛄'] });
    expect(diffEmojiWords({ '🍭': 'mdma' }, undefined)).toEqual({ added: Object.keys(SHIPPED_EMOJI_WORDS), removed: ['🍭'], changed: [] });
  });

  it('is undefined when nothing changed, the shipped table written out included', () => {
    expect(diffEmojiWords(undefined, undefined)).toBeUndefined();
    expect(diffEmojiWords(undefined, { ...SHIPPED_EMOJI_WORDS })).toBeUndefined();
  });

  it('reads only own entries: a table with a "constructor" emoji is data', () => {
    expect(diffEmojiWords({}, { constructor: 'x' })).toEqual({ added: ['constructor'], removed: [], changed: [] });
  });
});
