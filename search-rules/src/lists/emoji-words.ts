/**
 * The shipped emoji table: drug emoji (one code point, without variation
 * selector) → the word they stand for, read by the normaliser before
 * anything else ("❄️ delivery" is "cocaine delivery"). A starting point:
 * a lead's table travels with the ruleset (`Ruleset.emojiWords`, the whole
 * table, replacing this one) and compileRuleset uses it; words are
 * normalised like any text, so an entry may be written in any script.
 */
export const SHIPPED_EMOJI_WORDS: Readonly<Record<string, string>> = {
  '❄': 'cocaine',
  '⛄': 'cocaine',
  '🌨': 'cocaine',
  '💊': 'pills',
  '🍁': 'weed',
  '🌿': 'weed',
  '🍃': 'weed',
  '🥦': 'weed',
  '🌲': 'weed',
  '🔌': 'plug',
  '🍄': 'shrooms',
  '💉': 'needle',
  '🧊': 'meth',
  '💎': 'crystal',
  '🐉': 'heroin',
  '🍬': 'ecstasy',
  '🔮': 'lsd',
};
