import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../../src/report/render.js';
import { HOSTILE, makeAlerts, makeEvents } from './fixtures.js';
import type { MarketEvent } from '../../../src/engine/types.js';

function bySeller(events: readonly MarketEvent[]): Map<string, MarketEvent[]> {
  const m = new Map<string, MarketEvent[]>();
  for (const e of events) m.set(e.sellerId, [...(m.get(e.sellerId) ?? []), e]);
  return m;
}

/** The HTML of one seller section, by its heading's seller id. */
function section(html: string, seller: string): string {
  const sections = html.split('<section class="seller"').slice(1);
  const found = sections.find((s) => s.includes(`Seller <code>${seller}</code>`));
  assert.ok(found, `no section for ${seller}`);
  return found;
}

const full = renderReport({ alerts: makeAlerts(), eventsBySeller: bySeller(makeEvents()), sources: ['alerts.ndjson', 'events.ndjson'] });

test('a self-contained page: no script, no external resource, a CSP that forbids them', () => {
  assert.ok(full.startsWith('<!doctype html>'));
  assert.match(full, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"/);
  assert.doesNotMatch(full, /<script|<link|<img|@import|url\(|src=/i);
  const urls = full.match(/https?:\/\/[^\s"'<>]+/g) ?? [];
  assert.deepEqual([...new Set(urls)], ['http://www.w3.org/2000/svg'], 'only the SVG namespace may look like a URL');
});

test('every piece of input text is escaped', () => {
  assert.ok(!full.includes(HOSTILE));
  assert.ok(!full.includes('<script>alert(1)'));
  assert.ok(full.includes('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;'));
  assert.ok(full.includes('ring_&lt;script&gt;'), 'signal names are escaped too');
});

test('the summary counts alerts, incidents and sellers and lists sellers by severity', () => {
  const summary = full.slice(full.indexOf('id="summary"'), full.indexOf('<section class="seller"'));
  assert.match(summary, /<div class="v">3<\/div><div class="l">alerts/);
  assert.match(summary, /<div class="v">2<\/div><div class="l">incidents/);
  assert.match(summary, /<div class="v">2<\/div><div class="l">sellers alerted/);
  assert.match(summary, /<div class="v">1<\/div><div class="l">ring alerts/);
  assert.match(summary, />CRITICAL<\/span><\/td><td>1<\/td><td>1<\/td><td>1<\/td>/);
  assert.match(summary, />HIGH<\/span><\/td><td>2<\/td><td>1<\/td><td>1<\/td>/);
  assert.match(summary, /2026-01-06 06:00:00Z – 2026-01-06 13:00:00Z \(7 h\)/);
  assert.match(summary, /<h3>Signals<\/h3><table class="signal-summary">.*<td><code>repeat_buyers<\/code><\/td><td>concentration<\/td><td>1<\/td><td>1<\/td>/);
  assert.match(summary, /<td><code>shared_devices<\/code><\/td><td>identity<\/td><td>1<\/td><td>1<\/td>/);
  const critical = summary.indexOf('href="#seller-1"><code>s-hostile');
  const high = summary.indexOf('href="#seller-2"><code>s-ring-1');
  assert.ok(critical > 0 && high > critical, 'CRITICAL seller first');
});

test('one section per alerted seller, none for a seller without alerts', () => {
  assert.equal(full.split('<section class="seller"').length - 1, 2);
  assert.ok(full.includes('id="seller-1"') && full.includes('id="seller-2"'));
  assert.ok(!full.includes('s-clean'));
});

test('a seller section: timeline with the window shaded, signals against thresholds, incidents', () => {
  const s = section(full, 's-ring-1');
  assert.match(s, /<svg class="timeline"/);
  assert.match(s, /fill="#e06c1f" fill-opacity="0.12"/, 'HIGH window shaded in the HIGH colour');
  assert.match(s, /<svg class="signals"[^>]*aria-label="Signals against their thresholds: repeat_buyers, shared_devices"/);
  assert.match(s, /<code>repeat_buyers<\/code><\/td><td>concentration<\/td><td>0.6<\/td><td>0.3<\/td><td>0.05<\/td><td>0.8<\/td><td>6 h<\/td>/);
  assert.match(s, /1 incident\(s\), 2 alert\(s\), highest score 0.83/);
  assert.match(s, /Incident <code>inc-0<\/code> — .*HIGH.* open, highest score 0.83 \(UPDATE #1, signals below\)/);
  assert.match(s, /109 events of this seller drawn\./);
});

test('the timeline marks orders of suspicious buyers in red, others in grey', () => {
  const s = section(full, 's-ring-1');
  const svg = s.slice(s.indexOf('<svg class="timeline"'), s.indexOf('</svg>'));
  const red = [...svg.matchAll(/<rect [^>]*height="([\d.]+)" fill="#c62828"\/>/g)];
  const grey = [...svg.matchAll(/<rect [^>]*fill="#9aa5b1"\/>/g)];
  assert.ok(red.length > 0, 'suspicious bars drawn');
  assert.ok(grey.length > 0, 'ordinary bars drawn');
  // The suspicious orders all fall in hours 30..34, the plot's right part; ordinary ones earlier.
  const xs = (ms: RegExpMatchArray[]) => ms.map((m) => Number(/x="([\d.]+)"/.exec(m[0])?.[1]));
  assert.ok(Math.min(...xs(red)) > Math.max(...xs([...svg.matchAll(/<rect [^>]*fill="#9aa5b1"\/>/g)].slice(0, 5))));
  assert.match(svg, /<line [^>]*stroke-dasharray="2 2"><title>detected at 2026-01-06 10:01:00Z<\/title>/);
});

test('evidence tables are enriched from the events', () => {
  const s = section(full, 's-ring-1');
  assert.match(s, /<code>b-fake-1<\/code><\/td><td>6<\/td><td>6<\/td><td>2026-01-04 /, 'orders, reviews, account creation');
  assert.match(s, /<code>d-0<\/code><\/td><td>14<\/td>/, 'buyers per device');
  assert.match(s, /<code>p-shared<\/code><\/td><td>29<\/td>/, 'buyers per payment hash');
  assert.match(s, /<code>o-s-ring-1-101<\/code><\/td><td><code>b-fake-1<\/code><\/td><td>2026-01-06 06:08:00Z<\/td><td>12.99 USD<\/td><td>REFUNDED<\/td><td>★★★★★ /);
  const h = section(full, 's-hostile');
  assert.match(h, /<code>s-ring-1<\/code><\/td><td><a href="#seller-2">yes, see section<\/a>/);
  assert.match(h, /<code>s-elsewhere<\/code><\/td><td>no<\/td>/);
  assert.match(h, /<code>r-s-hostile-0<\/code><\/td><td><code>b-h-0<\/code><\/td><td>[^<]+<\/td><td>5<\/td><td>unverified<\/td><td>&lt;script&gt;/);
});

test('long evidence lists are cut with a count, and capped events are reported', () => {
  const events = bySeller(makeEvents());
  const html = renderReport({ alerts: makeAlerts(), eventsBySeller: events, droppedBySeller: new Map([['s-ring-1', 5]]), maxRows: 2 });
  const s = section(html, 's-ring-1');
  assert.match(s, /Buyers <span class="count">\(5\)<\/span>/);
  assert.match(s, /… and 3 more/);
  assert.match(s, /5 more left out by the per-seller cap/);
  assert.match(html, /<div class="v">\d+ <small>\(\+5 capped\)<\/small><\/div>/);
});

test('without events the timeline still shows the windows and says why it is empty', () => {
  const html = renderReport({ alerts: makeAlerts() });
  const s = section(html, 's-ring-1');
  assert.match(s, /No event file was given/);
  assert.match(s, /no events loaded for this seller/);
  assert.match(s, /fill-opacity="0.12"/);
  assert.match(s, /<code>b-fake-1<\/code><\/td><td>—<\/td>/);
});

test('the same input gives the same bytes; input order does not matter', () => {
  const alerts = makeAlerts();
  const events = makeEvents();
  const a = renderReport({ alerts, eventsBySeller: bySeller(events) });
  const b = renderReport({ alerts: [...alerts].reverse(), eventsBySeller: bySeller(events) });
  assert.equal(a, b);
});

test('no alerts: an empty but valid report', () => {
  const html = renderReport({ alerts: [], notes: ['2 lines skipped'] });
  assert.match(html, /No seller was alerted/);
  assert.match(html, /<li>2 lines skipped<\/li>/);
  assert.ok(html.trimEnd().endsWith('</html>'));
});

test('a resolved incident shows the signals of its strongest alert, not the empty RESOLVE', () => {
  const [open, update] = makeAlerts();
  assert.ok(open && update);
  const resolve = { ...update, alertId: 'a-resolve', sequence: 2, action: 'RESOLVE' as const, score: 0, signals: [], detectedAt: update.detectedAt + 3_600_000 };
  const s = section(renderReport({ alerts: [open, update, resolve] }), 's-ring-1');
  assert.match(s, /resolved, highest score 0.83 \(UPDATE #1, signals below\)/);
  assert.match(s, /aria-label="Signals against their thresholds: repeat_buyers, shared_devices"/);
  assert.match(s, /<td>RESOLVE<\/td><td>2<\/td>/);
});

test('a section limit keeps the most severe sellers and still lists every seller', () => {
  const html = renderReport({ alerts: makeAlerts(), maxSellerSections: 1 });
  assert.equal(html.split('<section class="seller"').length - 1, 1);
  assert.ok(html.includes('Seller <code>s-hostile</code>'), 'the CRITICAL seller keeps its section');
  assert.match(html, /<td><code>s-ring-1<\/code><\/td><td><span class="badge"/, 'listed without a link');
  assert.match(html, /1 less severe seller\(s\) are listed below without a section \(section limit 1\)/);
  assert.ok(!html.includes('href="#seller-2"'), 'no link to a section that is not there');
});

test('a seller with very many alerts stays a bounded page: history cut, one detection mark per incident', () => {
  const [a] = makeAlerts();
  assert.ok(a);
  const many = Array.from({ length: 5_000 }, (_, i) => ({ ...a, alertId: `x${i}`, sequence: i, action: 'UPDATE' as const, detectedAt: a.detectedAt + i }));
  const html = renderReport({ alerts: many, maxRows: 10 });
  assert.match(html, /… and 4990 more/);
  assert.equal((html.match(/<title>detected at /g) ?? []).length, 1);
  assert.ok(html.length < 100_000, `${html.length} chars`);
});
