import { TDB_LANGUAGES } from './tdb-vocabulary';

/**
 * ISO 639 language tags → the statement's content_language (upper-case
 * ISO 639-1), or undefined when the language has no 639-1 code or is not
 * a language at all. Never the first two letters of a tag: `und` is not
 * "UN" and Filipino (`fil`, 639-2) is not Finnish (`fi`).
 */

/**
 * 639-1 code → its 3-letter codes: ISO 639-2/T and 639-2/B (where they
 * differ), and the commonest ISO 639-3 individual languages of a
 * macrolanguage that has a 639-1 code (Standard Arabic `arb` → AR,
 * Mandarin `cmn` → ZH, Iranian Persian `pes` → FA, ...). A 3-letter code
 * not listed has no 639-1 code (fil, haw, yue-less dialects, ...) and gets no
 * content_language: an omitted language is true, a guessed one is not.
 */
const THREE_LETTER: Readonly<Record<string, readonly string[]>> = {
  aa: ['aar'], ab: ['abk'], ae: ['ave'], af: ['afr'], ak: ['aka', 'fat'], am: ['amh'], an: ['arg'],
  ar: ['ara', 'arb'], as: ['asm'], av: ['ava'], ay: ['aym', 'ayr'], az: ['aze', 'azj', 'azb'], ba: ['bak'], be: ['bel'],
  bg: ['bul'], bh: ['bih'], bi: ['bis'], bm: ['bam'], bn: ['ben'], bo: ['bod', 'tib'], br: ['bre'], bs: ['bos'],
  ca: ['cat'], ce: ['che'], ch: ['cha'], co: ['cos'], cr: ['cre'], cs: ['ces', 'cze'], cu: ['chu'], cv: ['chv'],
  cy: ['cym', 'wel'], da: ['dan'], de: ['deu', 'ger'], dv: ['div'], dz: ['dzo'], ee: ['ewe'], el: ['ell', 'gre'],
  en: ['eng'], eo: ['epo'], es: ['spa'], et: ['est', 'ekk'], eu: ['eus', 'baq'], fa: ['fas', 'per', 'pes', 'prs'],
  ff: ['ful'], fi: ['fin'], fj: ['fij'], fo: ['fao'], fr: ['fra', 'fre'], fy: ['fry'], ga: ['gle'], gd: ['gla'],
  gl: ['glg'], gn: ['grn', 'gug'], gu: ['guj'], gv: ['glv'], ha: ['hau'], he: ['heb'], hi: ['hin'], ho: ['hmo'],
  hr: ['hrv'], ht: ['hat'], hu: ['hun'], hy: ['hye', 'arm'], hz: ['her'], ia: ['ina'], id: ['ind'], ie: ['ile'],
  ig: ['ibo'], ii: ['iii'], ik: ['ipk'], io: ['ido'], is: ['isl', 'ice'], it: ['ita'], iu: ['iku'], ja: ['jpn'],
  jv: ['jav'], ka: ['kat', 'geo'], kg: ['kon'], ki: ['kik'], kj: ['kua'], kk: ['kaz'], kl: ['kal'], km: ['khm'],
  kn: ['kan'], ko: ['kor'], kr: ['kau'], ks: ['kas'], ku: ['kur', 'kmr', 'ckb'], kv: ['kom'], kw: ['cor'], ky: ['kir'],
  la: ['lat'], lb: ['ltz'], lg: ['lug'], li: ['lim'], ln: ['lin'], lo: ['lao'], lt: ['lit'], lu: ['lub'],
  lv: ['lav', 'lvs'], mg: ['mlg', 'plt'], mh: ['mah'], mi: ['mri', 'mao'], mk: ['mkd', 'mac'], ml: ['mal'],
  mn: ['mon', 'khk'], mr: ['mar'], ms: ['msa', 'may', 'zsm'], mt: ['mlt'], my: ['mya', 'bur'], na: ['nau'],
  nb: ['nob'], nd: ['nde'], ne: ['nep', 'npi'], ng: ['ndo'], nl: ['nld', 'dut'], nn: ['nno'], no: ['nor'], nr: ['nbl'],
  nv: ['nav'], ny: ['nya'], oc: ['oci'], oj: ['oji'], om: ['orm'], or: ['ori', 'ory'], os: ['oss'], pa: ['pan'],
  pi: ['pli'], pl: ['pol'], ps: ['pus', 'pbt'], pt: ['por'], qu: ['que'], rm: ['roh'], rn: ['run'], ro: ['ron', 'rum'],
  ru: ['rus'], rw: ['kin'], sa: ['san'], sc: ['srd'], sd: ['snd'], se: ['sme'], sg: ['sag'], si: ['sin'],
  sk: ['slk', 'slo'], sl: ['slv'], sm: ['smo'], sn: ['sna'], so: ['som'], sq: ['sqi', 'alb', 'als'], sr: ['srp'],
  ss: ['ssw'], st: ['sot'], su: ['sun'], sv: ['swe'], sw: ['swa', 'swh'], ta: ['tam'], te: ['tel'], tg: ['tgk'],
  th: ['tha'], ti: ['tir'], tk: ['tuk'], tl: ['tgl'], tn: ['tsn'], to: ['ton'], tr: ['tur'], ts: ['tso'], tt: ['tat'],
  tw: ['twi'], ty: ['tah'], ug: ['uig'], uk: ['ukr'], ur: ['urd'], uz: ['uzb', 'uzn'], ve: ['ven'], vi: ['vie'], vo: ['vol'],
  wa: ['wln'], wo: ['wol'], xh: ['xho'], yi: ['yid', 'ydd'], yo: ['yor'], za: ['zha'], zh: ['zho', 'chi', 'cmn'],
  zu: ['zul'],
};

/** Withdrawn 639-1 codes still seen in old tags (BCP 47 maps them so). `sh` (Serbo-Croatian) has no single successor. */
const DEPRECATED: Readonly<Record<string, string>> = { iw: 'he', in: 'id', ji: 'yi', jw: 'jv', mo: 'ro' };

const TWO_LETTER: ReadonlySet<string> = new Set(TDB_LANGUAGES.map((c) => c.toLowerCase()));

const FROM_THREE: ReadonlyMap<string, string> = new Map(
  Object.entries(THREE_LETTER).flatMap(([two, threes]) => threes.map((three) => [three, two] as [string, string])),
);

/**
 * The content_language for a BCP 47 or ISO 639 tag (`en`, `en-GB`,
 * `zh-Hant-TW`, `deu`, `pt_BR`), or undefined: for `und` (undetermined),
 * `mul` (several), `zxx` (no linguistic content), `mis`, private use
 * (`x-…`, `qaa`–`qtz`), grandfathered tags (`i-…`), a 3-letter language
 * without a 639-1 code (`fil`, `haw`, `yue`, ...), and anything malformed.
 */
export function contentLanguageOf(tag: string | undefined | null): string | undefined {
  if (typeof tag !== 'string') return undefined;
  const primary = tag.trim().split(/[-_]/)[0]?.toLowerCase() ?? '';
  if (!/^[a-z]{2,3}$/.test(primary)) return undefined;
  let two: string | undefined;
  if (primary.length === 2) two = DEPRECATED[primary] ?? primary;
  else two = FROM_THREE.get(primary);
  return two !== undefined && TWO_LETTER.has(two) ? two.toUpperCase() : undefined;
}
