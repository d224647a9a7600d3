import fc from 'fast-check';
import { parseQueryString, parseSimpleQueryString } from './query-syntax';

const special = fc.constantFrom(...'+-=&|><!(){}[]^"~*?:\\/ aAND OR NOT TO u0063'.split(''), 'AND', 'OR', 'NOT', ' TO ', '\\u0063', 'cocaine');

describe('query syntax readers', () => {
  it('always finish, whatever the string (every pass moves forward)', () => {
    fc.assert(
      fc.property(fc.array(special, { maxLength: 40 }).map((a) => a.join('')), (q) => {
        parseQueryString(q, 'auto');
        parseSimpleQueryString(q);
      }),
      { numRuns: 3000, seed: 7 },
    );
    for (const q of ['}', ']', 'cocaine ]', 'a}b', '~', '"', '/', '[', '{', '\\', ':', 'a:', '~~~', 'a~b~']) {
      expect(Array.isArray(parseQueryString(q, 'auto'))).toBe(true);
      expect(Array.isArray(parseSimpleQueryString(q))).toBe(true);
    }
  });

  it('reads words, phrases, fuzzy terms, wildcards, regexps and ranges', () => {
    expect(parseQueryString('text:(buy AND "co\\u0063aine") -x coc?ine /re.ex/ [a TO b] meth~1 \\u0063rack', 'auto')).toEqual([
      { kind: 'words', text: 'buy' },
      { kind: 'words', text: 'cocaine' },
      { kind: 'words', text: 'x' },
      { kind: 'wildcard', text: 'coc?ine' },
      { kind: 'regexp', text: 're.ex' },
      { kind: 'range', from: 'a', to: 'b' },
      { kind: 'words', text: 'a b' },
      { kind: 'fuzzy', text: 'meth', fuzziness: 1 },
      { kind: 'words', text: 'crack' },
    ]);
    expect(parseSimpleQueryString('+buy -"cheap meth"~2 cocai* coke~1')).toEqual([
      { kind: 'words', text: 'buy' },
      { kind: 'words', text: 'cheap meth', slop: true },
      { kind: 'wildcard', text: 'cocai*' },
      { kind: 'fuzzy', text: 'coke', fuzziness: 1 },
    ]);
  });
});
