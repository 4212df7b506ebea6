import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema, informativeWords, signal, textSignature, type State } from '../../../../src/engine/signals/duplicate-text.js';
import { bbitPack, minhash, shingleHashes } from '../../../../src/engine/sketch/minhash.js';
import type { MarketEvent, SellerContext, SignalFinding } from '../../../../src/engine/types.js';
import { eventKeys } from '../../../../src/engine/event-keys.js';
import { DAY, drive, HOUR, MIN, review, revived, rng, T0 } from './fixtures.js';

const config = configSchema.parse({});

const SCRIPT = [
  'This ceramic pour-over kettle keeps water hot for hours, the bamboo handle stays cool and the spout pours evenly.',
  'This ceramic pour over kettle keeps the water hot for hours; bamboo handle stays cool and spout pours evenly!',
  'ceramic pour-over kettle keeps water hot for hours. The bamboo handle stays cool, the spout pours very evenly',
  'This Ceramic Pour-Over Kettle keeps water hot for many hours, bamboo handle stays cool and the spout pours evenly.',
  'My ceramic pour-over kettle keeps water hot for hours, bamboo handle stays cool and spout pours evenly. Love it',
];

const HONEST = [
  'Arrived a day late but the kettle works; handle gets warm after ten minutes of boiling.',
  'Bought this for my mother, she likes the colour although the lid rattles a little.',
  'The spout drips when pouring slowly. Otherwise decent for the price, would like a thermometer.',
  'Box was dented, kettle itself fine. Takes about five minutes to boil a litre on gas.',
  'Returned the first one because of a crack, replacement came quickly and is fine so far.',
  'Smaller than the photos suggest, fits one large mug. Bamboo handle feels sturdy.',
  'Using it daily for pour-over coffee; the gooseneck gives good control over the flow.',
  'Enamel chipped after a week of use on an induction adapter, disappointed with durability.',
];

test('informative words drop generic praise and stop words', () => {
  assert.deepEqual(informativeWords('Great product, fast shipping! Highly recommend.'), []);
  assert.deepEqual(informativeWords('The bamboo handle stays dry'), ['bamboo', 'handle', 'stays', 'dry']);
});

test('the signature of a text is the one sketch/minhash.ts gives its first 200 informative words, ASCII or not', () => {
  const r = rng(7);
  const vocab = ['Kettle', 'HANDLE', 'the', 'Good', 'spout', 'pour-over', '5', '42x', 'AND', 'bamboo', 'Fast', 'shipping', 'lid', 'café', 'чайник', 'naïve', '🙂', 'ok', 'Thé'];
  const seps = [' ', ', ', '! ', '...', '\n', ' - ', '/'];
  const texts = [...SCRIPT, ...HONEST, 'Great product, fast shipping! Highly recommend.', 'a b c d', '12 34 56 78', 'x'.repeat(300)];
  for (let i = 0; i < 400; i++) {
    const n = 1 + Math.floor(r() * (i % 50 === 0 ? 400 : 20));
    let t = '';
    for (let j = 0; j < n; j++) t += vocab[Math.floor(r() * (i % 2 === 0 ? 13 : vocab.length))]! + seps[Math.floor(r() * seps.length)]!;
    texts.push(t);
  }
  let signed = 0;
  for (const text of texts) {
    const ws = informativeWords(text);
    const got = [0, 0];
    const ok = textSignature(text, config.minWords, got);
    assert.equal(ok, ws.length >= config.minWords, text);
    if (!ok) continue;
    signed++;
    assert.deepEqual(got, bbitPack(minhash(shingleHashes(ws.slice(0, 200)), 32), 2), text);
  }
  assert.ok(signed > 200, 'most texts were compared');
});

test('fires on light paraphrases of one script from different buyers, with the cluster as evidence', () => {
  // 4 honest reviews, then 7 copies of the script: 6 repeats among 10 other comparable reviews at
  // the prior share (5 %) have a tail of 2.8e-6.
  const events: MarketEvent[] = HONEST.slice(0, 4).map((text, i) => review({ buyerId: `b-h-${i}`, eventTime: T0 + i * 5 * HOUR, text }));
  for (let i = 0; i < 7; i++) events.push(review({ buyerId: `b-farm-${i}`, eventTime: T0 + 2 * DAY + i * 20 * MIN, text: SCRIPT[i % SCRIPT.length]! }));
  const { findings } = drive(signal, config, events);
  assert.ok(findings.length > 0, 'no finding');
  const f = findings.at(-1)!.finding;
  assert.equal(f.family, 'review_text');
  assert.equal(f.value, 7);
  assert.equal(f.threshold, 3);
  assert.equal(f.baseline, 0.05);
  // The first review of a cluster is known by fingerprint only: evidence starts at the second (the last 6).
  assert.deepEqual(f.evidence.buyerIds, ['b-farm-1', 'b-farm-2', 'b-farm-3', 'b-farm-4', 'b-farm-5', 'b-farm-6']);
  assert.equal(f.evidence.reviewIds!.length, 6);
  assert.match(f.explanation, /^7 near-identical review texts from 7 different buyers/);
  assert.ok(findings.every((x) => x.at > T0 + 2 * DAY));
});

test("five copies among a new seller's few reviews are not improbable enough at the prior share", () => {
  const events: MarketEvent[] = HONEST.map((text, i) => review({ buyerId: `b-h-${i}`, eventTime: T0 + i * 5 * HOUR, text }));
  SCRIPT.forEach((text, i) => events.push(review({ buyerId: `b-farm-${i}`, eventTime: T0 + 2 * DAY + i * 20 * MIN, text })));
  // 4 repeats among 11 at 5 %: tail 1.6e-3.
  assert.deepEqual(drive(signal, config, events).findings, []);
});

test('honest texts sharing one remark behind different openers are a chain, not a cluster: only reviews near one text count', () => {
  // Seven buyers of a perfume: every text links to some other (Jaccard ≥ 0.6), but the last two
  // resemble the short one only through the others; the largest star, around the short text, has 6
  // buyers, and 5 repeats among 11 at the prior share are 1e-4, while 7 would be 5.6e-6.
  const remark = [
    'Bought as a gift. a little goes a long way',
    'Bought as a gift - a little goes a long way - lasts the whole day',
    'good - a little goes a long way',
    'recommended - smells nice - a little goes a long way',
    'Packed well and a little goes a long way and smells nice',
    'Same as the pictures. a little goes a long way. lasts the whole day',
    'Better than I expected. smells nice. a little goes a long way',
  ];
  const events: MarketEvent[] = HONEST.slice(0, 5).map((text, i) => review({ buyerId: `b-h-${i}`, eventTime: T0 + i * 5 * HOUR, text }));
  remark.forEach((text, i) => events.push(review({ buyerId: `b-r-${i}`, eventTime: T0 + DAY + i * 3 * HOUR, text })));
  assert.deepEqual(drive(signal, config, events).findings, []);
  // The same seven reviews as copies of one script fire.
  const script: MarketEvent[] = HONEST.slice(0, 5).map((text, i) => review({ buyerId: `b-h-${i}`, eventTime: T0 + i * 5 * HOUR, text }));
  remark.forEach((_, i) => script.push(review({ buyerId: `b-r-${i}`, eventTime: T0 + DAY + i * 3 * HOUR, text: SCRIPT[i % SCRIPT.length]! })));
  assert.equal(drive(signal, config, script).findings.at(-1)?.finding.value, 7);
});

/** A shop whose honest buyers write short stock phrases, a few of them the same 4 informative words. */
function stockPhraseShop(days: number, r: () => number): MarketEvent[] {
  const stock = ['case fits my phone perfectly', 'came in a small envelope, cute stickers attached', 'colour as shown, a bit thin but ok'];
  const own = (i: number): string => `${['blue', 'red', 'green', 'black'][i % 4]} cover ${i} scratched corner ${i % 7} needs ${i % 5} screws`;
  const events: MarketEvent[] = [];
  for (let i = 0; i < days * 6; i++) {
    const t = T0 + i * 4 * HOUR + Math.floor(r() * HOUR);
    events.push(review({ buyerId: `b-s-${i}`, eventTime: t, text: r() < 0.3 ? stock[Math.floor(r() * stock.length)]! : own(i) }));
  }
  return events;
}

test('quiet on a shop whose honest reviews repeat stock phrases at its normal rate', () => {
  const events = stockPhraseShop(30, rng(3));
  const plain = { ...config, maxTail: 1 };
  assert.ok(drive(signal, plain, events).findings.length > 0, 'without the repeat baseline the stock phrase fires');
  assert.deepEqual(drive(signal, config, events).findings, []);
});

test('fires on a script burst at that same shop', () => {
  const events = stockPhraseShop(30, rng(3));
  // The shop repeats at ~17 %: 8 copies among 12 are 7.6e-4 there, a farm's dozen is 3e-9.
  for (let i = 0; i < 12; i++) events.push(review({ buyerId: `b-farm-${i}`, eventTime: T0 + 30 * DAY + i * 30 * MIN, text: SCRIPT[i % SCRIPT.length]! }));
  const { findings } = drive(signal, config, events.sort((a, b) => a.eventTime - b.eventTime));
  assert.ok(findings.length > 0, 'no finding');
  assert.ok(findings.every((x) => x.at > T0 + 30 * DAY));
  assert.ok(findings.at(-1)!.finding.value >= 10);
});

test('a long script of stock words only is compared on all its words; a short stock phrase is not', () => {
  const long = 'The product is very good and original, delivery was fast and the seller is very friendly. Recommended!';
  assert.ok(informativeWords(long).length < config.minWords);
  const sig = [0, 0];
  assert.equal(textSignature(long, config.minWords, sig), false);
  assert.equal(textSignature(long, config.minWords, sig, config.longWords), true);
  assert.equal(textSignature('good quality, fast delivery, thank you seller', config.minWords, sig, config.longWords), false);
  const events: MarketEvent[] = [];
  for (let i = 0; i < 10; i++) events.push(review({ buyerId: `b-farm-${i}`, eventTime: T0 + i * HOUR, text: i % 2 === 0 ? long : long.toLowerCase() + '!!' }));
  assert.equal(drive(signal, config, events).findings.at(-1)?.finding.value, 10);
});

test('a state written before the repeat baseline (no base fields) restores and judges against the prior', () => {
  const events: MarketEvent[] = HONEST.slice(0, 4).map((text, i) => review({ buyerId: `b-h-${i}`, eventTime: T0 + i * 5 * HOUR, text }));
  for (let i = 0; i < 7; i++) events.push(review({ buyerId: `b-farm-${i}`, eventTime: T0 + 2 * DAY + i * 20 * MIN, text: SCRIPT[i % SCRIPT.length]! }));
  // Drive the honest part, then drop the fields main's code did not write, as its snapshot would lack them.
  const { state } = drive(signal, config, events.slice(0, 4));
  const old = revived(signal, config, { sigs: state.sigs, reviewIds: [], buyerIds: [] });
  assert.deepEqual(state.matched, []);
  const keys = { buyer: 0, device: 0, ip: 0, address: 0, payment: 0 } as never;
  let f: SignalFinding | null = null;
  let buyer = 1000;
  for (const e of events.slice(4)) {
    signal.observe(old, e, config, { ...(keys as object), buyer: buyer++ } as never);
    f = signal.evaluate(old, { at: e.eventTime + HOUR } as never, config) ?? f;
  }
  assert.ok(f !== null, 'no finding after restore');
  assert.equal(f!.value, 7);
  assert.equal(f!.baseline, 0.05);
});

test('quiet on short generic texts, empty texts and honest varied reviews', () => {
  const events: MarketEvent[] = [];
  const generic = ['good', 'Nice!', 'nice product', 'Great seller, fast shipping!', 'Good quality, would buy again', 'love it', ''];
  for (let i = 0; i < 40; i++) events.push(review({ buyerId: `b-g-${i}`, eventTime: T0 + i * 10 * MIN, text: generic[i % generic.length]! }));
  HONEST.forEach((text, i) => events.push(review({ buyerId: `b-h-${i}`, eventTime: T0 + HOUR + i * MIN, text })));
  const { findings, state } = drive(signal, config, events);
  assert.deepEqual(findings, []);
  assert.equal(state.sigs.length, 3 * HONEST.length, 'honest texts were compared, generic ones were not');
  assert.deepEqual(state.matched, [], 'an honest seller keeps no strings');
});

test('quiet on honest reviews built from shared sentence patterns (a viral product)', () => {
  const r = rng(42);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const nouns = ['serum', 'lipstick', 'cream', 'scent', 'texture', 'shampoo', 'mask', 'bottle'];
  const adjectives = ['great', 'excellent', 'lovely', 'solid', 'really nice', 'well made', 'perfect', 'decent', 'sturdy'];
  const people = ['my son', 'my wife', 'my dad', 'my roommate', 'my sister', 'my grandma', 'a colleague', 'my partner'];
  const spans = ['two days', 'a week', 'three weeks', 'a month', 'ten days', 'two months'];
  const places = ['the kitchen', 'the office', 'my car', 'the gym', 'our balcony', 'the dorm', 'the bathroom'];
  const sizes = ['S', 'M', 'L', 'XL', '38', '40', '42', 'one size'];
  const templates: (() => string)[] = [
    () => `Used the ${pick(nouns)} in ${pick(places)} for ${pick(spans)} and it is ${pick(adjectives)}.`,
    () => `Got the ${pick(['black', 'navy', 'beige', 'red', 'olive', 'grey'])} one for ${pick(people)}, glad I ordered.`,
    () => `After ${pick(spans)} the ${pick(nouns)} still looks new.`,
    () => `Size ${pick(sizes)} and the ${pick(nouns)} runs small.`,
    () => `Not sure about the ${pick(nouns)} yet but the ${pick(nouns)} is ${pick(adjectives)}.`,
    () => `Ordered ${2 + Math.floor(r() * 3)} of them, the ${pick(nouns)} matches the photos exactly.`,
  ];
  // 5 days of 30 reviews a day, one or two sentences each, every reviewer a different buyer.
  const events: MarketEvent[] = [];
  for (let i = 0; i < 150; i++) {
    const text = r() < 0.5 ? pick(templates)() : `${pick(templates)()} ${pick(templates)()}`;
    events.push(review({ buyerId: `b-v-${i}`, eventTime: T0 + i * 48 * MIN, text }));
  }
  assert.deepEqual(drive(signal, config, events).findings.map((f) => f.finding.explanation), []);
});

test('one buyer repeating a text is not a cluster of different buyers', () => {
  const events = SCRIPT.map((text, i) => review({ buyerId: 'b-same', eventTime: T0 + i * MIN, text }));
  assert.deepEqual(drive(signal, config, events).findings, []);
});

test('reviews older than the horizon leave the window', () => {
  const events = SCRIPT.slice(0, 3).map((text, i) => review({ buyerId: `b-${i}`, eventTime: T0 + i * 8 * DAY, text }));
  assert.deepEqual(drive(signal, config, events).findings, []);
});

test('memory stays bounded after 100k reviews', () => {
  const events: MarketEvent[] = [];
  for (let i = 0; i < 100_000; i++) events.push(review({ buyerId: `b-${i}`, eventTime: T0 + i * 20_000, text: `order number ${i} arrived with blue ribbon ${i % 97} and spare parts ${i % 13}` }));
  const { state } = drive(signal, config, events);
  assert.equal(state.sigs.length, 3 * config.window);
  assert.ok(state.matched.length <= 2 * config.evidence);
  assert.ok(JSON.stringify(state).length < 2000, `${JSON.stringify(state).length} bytes`);
});

test('JSON round-trip mid-stream and expire at any time leave the findings unchanged', () => {
  const events: MarketEvent[] = HONEST.map((text, i) => review({ buyerId: `b-h-${i}`, eventTime: T0 + i * 3 * HOUR, text }));
  for (let i = 0; i < 10; i++) events.push(review({ buyerId: `b-farm-${i}`, eventTime: T0 + DAY + i * HOUR, text: SCRIPT[i % SCRIPT.length]! }));
  const plain = drive(signal, config, events).findings;
  assert.ok(plain.length > 0);
  assert.deepEqual(drive(signal, config, events, { roundTripAt: 10 }).findings, plain);
  assert.deepEqual(drive(signal, config, events, { expireHourly: true }).findings, plain);
});

test('a state saved with the matched reviews and their buyers as two lists restores at any point of a run', () => {
  // More matches than `evidence` keeps, from fewer buyers (two reviews each): the evidence slides and names each buyer once.
  const events: MarketEvent[] = HONEST.map((text, i) => review({ buyerId: `b-h-${i}`, eventTime: T0 + i * 3 * HOUR, text }));
  for (let i = 0; i < 16; i++) events.push(review({ buyerId: `b-farm-${i < 10 ? i : i % 3}`, eventTime: T0 + DAY + i * HOUR, text: SCRIPT[i % SCRIPT.length]! }));
  const run = (every: number) => {
    const findings: { at: number; finding: SignalFinding }[] = [];
    let state = signal.create(config);
    let calls = 0;
    const step = (): void => {
      if (calls++ % every !== 0) return;
      const { matched, ...rest } = JSON.parse(JSON.stringify(state)) as State;
      state = revived(signal, config, { ...rest, reviewIds: matched.filter((_, i) => i % 2 === 0), buyerIds: matched.filter((_, i) => i % 2 === 1) });
    };
    let boundary = (Math.floor(events[0]!.eventTime / HOUR) + 1) * HOUR;
    for (const e of events) {
      for (; boundary <= e.eventTime; boundary += HOUR) {
        step();
        signal.expire!(state, boundary, config);
        const f = signal.evaluate(state, { at: boundary } as SellerContext, config);
        if (f !== null) findings.push({ at: boundary, finding: f });
      }
      step();
      signal.observe(state, e, config, eventKeys(e));
      assert.equal(JSON.stringify(state).match(/"(reviewIds|buyerIds)":/), null);
    }
    return { findings, state };
  };
  const plain = run(Infinity);
  assert.ok(plain.findings.some((f) => f.finding.evidence.reviewIds!.length === config.evidence && f.finding.evidence.buyerIds!.length < config.evidence));
  for (const every of [1, 4]) {
    const saved = run(every);
    assert.deepEqual(saved.findings, plain.findings);
    assert.deepEqual(JSON.parse(JSON.stringify(saved.state)), JSON.parse(JSON.stringify(plain.state)));
  }
});
