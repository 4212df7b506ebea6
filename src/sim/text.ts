/**
 * Review texts from a vocabulary: honest reviews vary with the rating and the product category;
 * brushing texts are generic praise, and a text-farm campaign paraphrases one template.
 */
import type { Rng } from './prng.js';

export const CATEGORIES = ['fashion', 'electronics', 'home', 'beauty', 'grocery', 'toys', 'sports', 'books'] as const;
export type Category = (typeof CATEGORIES)[number];

const NOUNS: Record<Category, readonly string[]> = {
  fashion: ['shirt', 'dress', 'jacket', 'fabric', 'stitching', 'fit', 'colour', 'size'],
  electronics: ['cable', 'charger', 'battery', 'screen', 'sound', 'earbuds', 'adapter', 'build'],
  home: ['pan', 'towel', 'lamp', 'storage box', 'pillow', 'knife', 'mug', 'curtain'],
  beauty: ['serum', 'lipstick', 'cream', 'scent', 'texture', 'shampoo', 'mask', 'bottle'],
  grocery: ['coffee', 'rice', 'snacks', 'tea', 'noodles', 'sauce', 'fruit', 'packaging'],
  toys: ['puzzle', 'doll', 'blocks', 'car', 'board game', 'plush', 'kit', 'pieces'],
  sports: ['mat', 'bottle', 'shoes', 'band', 'gloves', 'bag', 'grip', 'rope'],
  books: ['book', 'print', 'cover', 'paper', 'story', 'binding', 'edition', 'pages'],
};

const GOOD = ['great', 'excellent', 'lovely', 'solid', 'really nice', 'well made', 'perfect', 'decent', 'good value', 'sturdy'];
const MEH = ['okay', 'average', 'fine', 'not bad', 'as expected', 'a bit thin', 'so-so'];
const BAD = ['poor', 'flimsy', 'broken', 'disappointing', 'cheap looking', 'not as described', 'faulty'];
const DELIVERY_GOOD = ['Arrived quickly.', 'Delivery was fast.', 'Came two days early.', 'Well packed.', 'Shipping was quick and the box was intact.'];
const DELIVERY_BAD = ['Took ages to arrive.', 'Box was crushed.', 'Delivery was late.', 'Courier left it in the rain.'];
const SELLER_GOOD = ['Seller answered my questions.', 'Friendly seller.', 'Will buy again.', 'Recommended.', 'Second time ordering here.'];
const SELLER_BAD = ['Seller never replied.', 'Would not buy again.', 'Asked for a refund.', 'Not worth the price.'];
const OPENERS = ['', '', 'Honestly, ', 'Overall ', 'For the price, ', 'My kid says ', 'After a week of use, '];
const SHORT = ['ok', 'good', 'nice', 'thanks', 'fine', 'love it', 'meh', 'as described'];

const PEOPLE = ['my son', 'my wife', 'my dad', 'my roommate', 'my sister', 'my grandma', 'a colleague', 'my partner', 'the kids', 'my neighbour'];
const COLOURS = ['black', 'navy', 'beige', 'red', 'olive', 'grey', 'white', 'pink', 'teal', 'mustard'];
const SPANS = ['two days', 'a week', 'three weeks', 'a month', 'ten days', 'two months', 'a weekend'];
const PLACES = ['the kitchen', 'the office', 'my car', 'the gym', 'our balcony', 'the dorm', 'a camping trip', 'the bathroom'];
const VERDICT_GOOD = ['happy with it', 'glad I ordered', 'worth it', 'pleasantly surprised', 'no complaints so far'];
const VERDICT_BAD = ['regret buying it', 'returning it', 'not impressed', 'expected more', 'would skip this one'];

/** Sentence templates with slots; `a` is a rating-fitting adjective, `n`/`m` category nouns. */
const TEMPLATES: readonly ((x: { a: string; n: string; m: string; rng: Rng; good: boolean }) => string)[] = [
  ({ a, n }) => `The ${n} is ${a}.`,
  ({ a, n, rng }) => `Used the ${n} in ${rng.pick(PLACES)} for ${rng.pick(SPANS)} and it is ${a}.`,
  ({ rng, good }) => `Got the ${rng.pick(COLOURS)} one for ${rng.pick(PEOPLE)}, ${good ? rng.pick(VERDICT_GOOD) : rng.pick(VERDICT_BAD)}.`,
  ({ a, m, rng }) => `${rng.pick(PEOPLE).replace(/^./, (c) => c.toUpperCase())} thinks the ${m} is ${a}.`,
  ({ n, rng, good }) => `Compared with the ${n} I bought ${rng.range(2, 9)} months ago this one is ${good ? 'better' : 'worse'}.`,
  ({ n, rng }) => `Ordered ${rng.range(2, 4)} of them, the ${n} matches the photos ${rng.chance(0.5) ? 'exactly' : 'mostly'}.`,
  ({ a, n, m }) => `Not sure about the ${m} yet but the ${n} is ${a}.`,
  ({ n, rng, good }) => `After ${rng.pick(SPANS)} the ${n} ${good ? 'still looks new' : 'already shows wear'}.`,
  ({ a, rng }) => `Paid ${rng.range(5, 60)} dollars, ${a} for that money.`,
  ({ m, rng, good }) => `The ${m} ${good ? 'fits' : 'does not fit'} ${rng.pick(PLACES)} as I hoped.`,
  ({ n, rng }) => `Size ${rng.pick(['S', 'M', 'L', 'XL', '38', '40', '42', 'one size'])} and the ${n} ${rng.chance(0.5) ? 'runs small' : 'is true to size'}.`,
  ({ a, n, rng }) => `Bought it on ${rng.pick(['Monday', 'Tuesday', 'Friday', 'Sunday', 'payday', 'sale day'])}, the ${n} is ${a}.`,
];

function sentence(rng: Rng, category: Category, adjectives: readonly string[], good: boolean): string {
  const nouns = NOUNS[category];
  const t = rng.pick(TEMPLATES);
  const text = t({ a: rng.pick(adjectives), n: rng.pick(nouns), m: rng.pick(nouns), rng, good });
  const opener = rng.pick(OPENERS);
  return opener === '' ? text : `${opener}${text.charAt(0).toLowerCase()}${text.slice(1)}`;
}

/** An honest review text: empty or short now and then, otherwise 1–4 sentences fitting the rating. */
export function honestText(rng: Rng, category: Category, rating: number): string {
  const r = rng.next();
  if (r < 0.1) return '';
  if (r < 0.25) return rng.pick(SHORT);
  const good = rating >= 4;
  const adjectives = good ? GOOD : rating === 3 ? MEH : BAD;
  const parts = [sentence(rng, category, adjectives, good)];
  if (rng.chance(0.5)) parts.push(sentence(rng, category, rng.chance(0.8) ? adjectives : MEH, good));
  if (rng.chance(0.5)) parts.push(rng.pick(rating >= 3 ? DELIVERY_GOOD : DELIVERY_BAD));
  if (rng.chance(0.4)) parts.push(rng.pick(good ? SELLER_GOOD : SELLER_BAD));
  return parts.join(' ');
}

const PRAISE = [
  'Good quality, fast delivery, highly recommended!',
  'Very good product, seller is trustworthy, five stars.',
  'Item received in good condition, thank you seller!',
  'Excellent quality and very fast shipping, will order again.',
  'Product same as picture, good packaging, recommended seller.',
  'Super fast delivery, quality is very good, worth buying.',
];

const SYNONYMS: Record<string, readonly string[]> = {
  good: ['nice', 'great', 'fine'],
  very: ['really', 'super', 'so'],
  fast: ['quick', 'speedy', 'rapid'],
  quality: ['build', 'material'],
  recommended: ['recommend', 'must buy'],
  delivery: ['shipping', 'arrival'],
  product: ['item', 'goods'],
  seller: ['shop', 'store'],
  thank: ['thanks'],
  excellent: ['awesome', 'amazing'],
  again: ['more', 'soon'],
};
const FILLERS = ['!!', '.', ' :)', ' 100%', ' A+', ''];

/** A paraphrase of `template`: `edits` word swaps, drops or fillers, so texts are near, not exact, duplicates. */
export function paraphrase(rng: Rng, template: string, edits: number): string {
  const words = template.split(' ');
  for (let e = 0; e < edits; e++) {
    const i = rng.int(words.length);
    const w = words[i]!;
    const core = w.toLowerCase().replace(/[^a-z]/g, '');
    const syn = SYNONYMS[core];
    if (syn !== undefined && rng.chance(0.7)) words[i] = w.toLowerCase().replace(core, rng.pick(syn));
    else if (words.length > 4 && rng.chance(0.5)) words.splice(i, 1);
    else words[words.length - 1] = words[words.length - 1]! + rng.pick(FILLERS);
  }
  return words.join(' ');
}

/** The generic praise a brushing operation posts: one of a few stock lines, lightly varied. */
export function brushingText(rng: Rng): string {
  return paraphrase(rng, rng.pick(PRAISE), rng.int(3));
}

const FOR_WHOM = ['my mother', 'my husband', 'my daughter', 'the office', 'my brother', 'a friend', 'myself'];
const USES = ['daily use', 'a birthday gift', 'our new flat', 'travelling', 'the holidays', 'school'];

/**
 * A text farm's script for one campaign: a long, product-specific review (farms write scripts
 * that look genuine, not one-word praise), which the workers then paraphrase.
 */
export function campaignTemplate(rng: Rng, category: Category): string {
  const [a, b] = rng.sample(NOUNS[category].length, 2).map((i) => NOUNS[category][i]!);
  return [
    `Bought this for ${rng.pick(FOR_WHOM)} as ${rng.pick(USES)} and the ${a} is ${rng.pick(GOOD)}.`,
    `The ${b} feels ${rng.pick(GOOD)} compared to the one we had before.`,
    rng.pick(DELIVERY_GOOD),
    rng.pick(SELLER_GOOD),
  ].join(' ');
}
