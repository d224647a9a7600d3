import { createHash } from 'node:crypto';
import type { ContentDocument } from '../indices/content-index';
import type { DemoLanguage } from '../domain/vocabulary';
import { createRng, pick } from './prng';

/**
 * A deterministic synthetic corpus for demos, benchmarks and tests: everyday
 * posts in English, Russian and Arabic, with drug-sale and scam spam mixed
 * in (some of it spelled to evade filters). Generated, never downloaded.
 */
export interface DemoPost extends ContentDocument {
  /** What the generator meant this post to be; not indexed. */
  kind: 'benign' | 'drugs' | 'scam';
}

export interface CorpusOptions {
  count: number;
  seed?: number;
  /** Share of spam posts, 0..1. */
  spamRate?: number;
  /** Start of the createdAt range. */
  since?: Date;
}

type Templates = Record<DemoLanguage, { benign: string[]; drugs: string[]; scam: string[]; fill: Record<string, string[]> }>;

const T: Templates = {
  en: {
    benign: [
      'Anyone going to the {place} on {day}? Thinking of bringing {food}.',
      'Just finished {book}. The ending was {adj}, highly recommend it.',
      'Our {team} won again! {player} was {adj} tonight.',
      'Reminder: the {place} is closed on {day} for maintenance.',
      'Made {food} for the first time, turned out {adj}. Recipe in the comments.',
      'Traffic near the {place} is terrible this morning, take the bus.',
      'Happy birthday to my sister! Dinner at the {place} on {day}.',
      'Does anyone know a good {job} in the city? Ours just retired.',
      'Photos from the {place} trip are up, the weather was {adj}.',
      'The school {event} starts at 6 on {day}, parents welcome.',
    ],
    drugs: [
      'Selling {drug} {qty}, fast delivery, DM me on {app}',
      '{drug} available now, discreet shipping, best price in town {emoji}',
      'plug here 🔌 {drug} and {drug2}, hit me up {app}',
      'Top quality {drug} {qty} ready, pay crypto, no questions',
      'Need {drug}? {emoji} delivery tonight, message {app}',
    ],
    scam: [
      'Congratulations! You won a {prize}. Claim now at {url} before it expires',
      'Double your bitcoin in 24 hours, guaranteed returns, send to {wallet}',
      'Your account will be suspended. Verify your password at {url}',
      'I am a bank manager with an unclaimed inheritance of $4.5M, reply for details',
      'Investment opportunity 300% profit weekly, join our channel {app}',
    ],
    fill: {
      place: ['park', 'library', 'stadium', 'farmers market', 'museum', 'community centre', 'beach'],
      day: ['Saturday', 'Sunday', 'Friday', 'Monday'],
      food: ['lemon cake', 'lasagna', 'dumplings', 'fruit salad', 'pancakes'],
      book: ['the new mystery novel', 'a history of Rome', 'that sci-fi trilogy'],
      adj: ['amazing', 'surprising', 'great', 'a bit sad', 'perfect'],
      team: ['local club', 'football team', 'volleyball team'],
      player: ['the goalkeeper', 'our captain', 'the new striker'],
      job: ['dentist', 'plumber', 'piano teacher', 'mechanic'],
      event: ['concert', 'science fair', 'play'],
      drug: ['cocaine', 'c0caine', 'meth', 'mdma', 'xanax', 'oxy', 'fentanyl', 'heroin', 'k-e-t-a-m-i-n-e'],
      drug2: ['weed', 'molly', 'percs', 'lsd'],
      qty: ['1g', '5g', '10 pills', 'an ounce', '3.5g'],
      app: ['@quickplug', 'telegram @xdeliver', 'wickr snowman', 'signal +1-555-0100'],
      emoji: ['❄️', '💊', '🍁', '🔌'],
      prize: ['iPhone 16', 'gift card', 'free cruise'],
      url: ['bit.ly/claim-now', 'secure-verify.example', 'prize-win.example'],
      wallet: ['bc1qexamplewallet', '0xEXAMPLE'],
    },
  },
  ru: {
    benign: [
      'Кто идёт в {place} в {day}? Хочу взять {food}.',
      'Дочитал {book}. Концовка {adj}, советую.',
      'Наша {team} снова выиграла! {player} был {adj}.',
      'Напоминаю: {place} закрыт в {day} на ремонт.',
      'Впервые приготовила {food}, получилось {adj}. Рецепт в комментариях.',
      'Пробки возле {place} ужасные, лучше на метро.',
      'Посоветуйте хорошего {job}, наш ушёл на пенсию.',
      'Фото с поездки выложил, погода была {adj}.',
    ],
    drugs: [
      'Продам {drug} {qty}, закладки по городу, пиши в {app}',
      '{drug} в наличии, быстрая доставка {emoji}, {app}',
      'Качественный {drug}, оплата в крипте, клад за 30 минут',
      'Есть {drug} и {drug2}, опт и розница, пиши {app}',
    ],
    scam: [
      'Поздравляем! Вы выиграли {prize}. Заберите на {url}',
      'Удвоим ваши деньги за сутки, гарантия, переводите на {wallet}',
      'Ваш аккаунт заблокирован. Подтвердите пароль на {url}',
      'Заработок от 5000 в день без вложений, пиши {app}',
    ],
    fill: {
      place: ['парк', 'библиотеку', 'музей', 'кинотеатр', 'бассейн'],
      day: ['субботу', 'воскресенье', 'пятницу'],
      food: ['пирог', 'пельмени', 'салат', 'блины'],
      book: ['новый детектив', 'книгу по истории', 'фантастику'],
      adj: ['отличная', 'неожиданная', 'прекрасная', 'грустная'],
      team: ['команда', 'сборная', 'школьная команда'],
      player: ['вратарь', 'капитан', 'новый нападающий'],
      job: ['стоматолога', 'сантехника', 'репетитора'],
      drug: ['мефедрон', 'меф', 'кокаин', 'к0каин', 'амфетамин', 'гашиш', 'соль', 'альфа-пвп'],
      drug2: ['шишки', 'экстази', 'гаш'],
      qty: ['1г', '5г', '10 шт', 'оптом'],
      app: ['телеграм @bystro', '@klad_bot', 'тг @zakladka'],
      emoji: ['❄️', '💊', '🍁'],
      prize: ['айфон', 'подарочную карту', 'путёвку'],
      url: ['bit.ly/priz', 'verify-login.example'],
      wallet: ['карту 2200 0000 0000 0000', 'кошелёк bc1qexample'],
    },
  },
  ar: {
    benign: [
      'هل سيذهب أحد إلى {place} يوم {day}؟ سأحضر {food}.',
      'انتهيت من قراءة {book}، النهاية كانت {adj}.',
      'فاز {team} مرة أخرى! كان {player} رائعا الليلة.',
      'تذكير: {place} مغلق يوم {day} للصيانة.',
      'طبخت {food} لأول مرة وكانت النتيجة {adj}.',
      'الزحام شديد قرب {place} هذا الصباح.',
      'هل يعرف أحد {job} جيدا في المدينة؟',
    ],
    drugs: [
      'للبيع {drug} {qty} توصيل سريع تواصل {app}',
      'متوفر {drug} بأفضل سعر {emoji} راسلني {app}',
      '{drug} و{drug2} جودة عالية الدفع بالعملات الرقمية',
      'مطلوب زبائن {drug} توصيل لكل المدن {app}',
    ],
    scam: [
      'مبروك! لقد ربحت {prize} اضغط على {url} للاستلام',
      'ضاعف أموالك في 24 ساعة أرباح مضمونة أرسل إلى {wallet}',
      'سيتم إيقاف حسابك، أكد كلمة المرور على {url}',
      'فرصة استثمار ربح 300٪ أسبوعيا انضم إلى {app}',
    ],
    fill: {
      place: ['الحديقة', 'المكتبة', 'الملعب', 'المتحف', 'السوق'],
      day: ['السبت', 'الجمعة', 'الأحد'],
      food: ['الكنافة', 'المقلوبة', 'الحمص', 'الكعك'],
      book: ['رواية جديدة', 'كتاب تاريخ', 'مجموعة قصص'],
      adj: ['رائعة', 'مفاجئة', 'جميلة', 'حزينة'],
      team: ['فريقنا', 'النادي المحلي', 'المنتخب'],
      player: ['الحارس', 'القائد', 'المهاجم الجديد'],
      job: ['طبيب أسنان', 'سباك', 'مدرس'],
      drug: ['كبتاجون', 'كبتــاجون', 'حشيش', 'كوكايين', 'ترامادول', 'شبو'],
      drug2: ['حبوب', 'ليريكا', 'هيروين'],
      qty: ['١٠٠ حبة', 'كيلو', '٥ غرام'],
      app: ['تيليجرام @fast_ar', 'واتساب +000', '@tawseel'],
      emoji: ['💊', '❄️', '🍁'],
      prize: ['آيفون', 'بطاقة هدايا', 'رحلة مجانية'],
      url: ['bit.ly/jaiza', 'verify-account.example'],
      wallet: ['المحفظة bc1qexample'],
    },
  },
};

const LANG_WEIGHTS: [DemoLanguage, number][] = [
  ['en', 0.5],
  ['ru', 0.3],
  ['ar', 0.2],
];

function fillTemplate(rng: () => number, template: string, fill: Record<string, string[]>): string {
  return template.replace(/\{(\w+)\}/g, (_m, slot: string) => pick(rng, fill[slot] ?? [slot]));
}

function pickLang(rng: () => number): DemoLanguage {
  const r = rng();
  let acc = 0;
  for (const [lang, w] of LANG_WEIGHTS) {
    acc += w;
    if (r < acc) return lang;
  }
  return 'en';
}

/** Authors are drawn from user-0 … user-(n-1), n = one per ten posts, 50 at least. */
function authorRange(count: number): number {
  return Math.max(50, count / 10);
}

/** How many author ids a corpus of `count` posts may use (user-0 … user-(n-1)): every one has a demo account. */
export function demoAuthorCount(count: number): number {
  return Math.ceil(authorRange(count));
}

/** Generates `count` posts; the same options always give the same posts. */
export function generateDemoCorpus(opts: CorpusOptions): DemoPost[] {
  const rng = createRng(opts.seed ?? 20261129);
  const spamRate = opts.spamRate ?? 0.12;
  const since = (opts.since ?? new Date('2026-10-01T00:00:00Z')).getTime();
  const posts: DemoPost[] = [];
  for (let i = 0; i < opts.count; i++) {
    const lang = pickLang(rng);
    const t = T[lang];
    const r = rng();
    const kind: DemoPost['kind'] = r < spamRate / 2 ? 'drugs' : r < spamRate ? 'scam' : 'benign';
    const text = fillTemplate(rng, pick(rng, t[kind]), t.fill);
    const id = `post-${String(i + 1).padStart(6, '0')}`;
    const author = `user-${Math.floor(rng() * authorRange(opts.count))}`;
    const createdAt = new Date(since + Math.floor(rng() * 60 * 86400_000)).toISOString();
    const post: DemoPost = {
      kind,
      id,
      type: 'post',
      text,
      lang,
      authorId: author,
      channelId: `channel-${Math.floor(rng() * 40)}`,
      createdAt,
    };
    if (rng() < 0.05) {
      post.media = [{ sha256: createHash('sha256').update(`media-${id}`).digest('hex'), kind: 'image' }];
    }
    posts.push(post);
  }
  return posts;
}
