/**
 * The audit report: alerts (and optionally the events behind them) in, one self-contained HTML
 * page out. Pure: no I/O, no clock, no randomness — the same input gives the same bytes. Inline
 * CSS and SVG only, a Content-Security-Policy that forbids scripts and network loads, and every
 * piece of input text escaped.
 */
import type { Alert, EvidenceLists, MarketEvent, OrderEvent, ReviewEvent, Severity, SignalFinding } from '../engine/types.js';
import { SEVERITIES } from '../engine/types.js';
import { esc, fmtDuration, fmtMoney, fmtNum, fmtTime } from './format.js';
import { SEVERITY_COLORS, signalBarsSvg, timelineSvg } from './svg.js';

export interface ReportInput {
  readonly alerts: readonly Alert[];
  /** Events per seller (any order); sellers without alerts are not drawn. */
  readonly eventsBySeller?: ReadonlyMap<string, readonly MarketEvent[]>;
  /** Events left out per seller by the reader's cap, to say so next to the plot. */
  readonly droppedBySeller?: ReadonlyMap<string, number>;
  readonly title?: string;
  /** Where the data came from (file names), shown under the title. */
  readonly sources?: readonly string[];
  /** Problems met while reading the input (e.g. skipped lines), shown in the summary. */
  readonly notes?: readonly string[];
  /** Rows per evidence table before "… and N more"; default 100. */
  readonly maxRows?: number;
  /** Seller sections drawn, most severe first; the summary still lists every seller. Default: all. */
  readonly maxSellerSections?: number;
}

const RANK: Record<Severity, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };
const EMPTY_EVENTS: readonly MarketEvent[] = [];

interface Incident {
  readonly id: string;
  readonly alerts: readonly Alert[];
  /** The alert with the highest sequence: the incident's current state. */
  readonly latest: Alert;
  /** The alert with the highest score: its signals are shown (a RESOLVE carries none). */
  readonly strongest: Alert;
  readonly severity: Severity;
}

interface SellerView {
  readonly sellerId: string;
  readonly anchor: string;
  readonly alerts: readonly Alert[];
  readonly incidents: readonly Incident[];
  readonly severity: Severity;
  readonly score: number;
  readonly start: number;
  readonly end: number;
  readonly signalNames: readonly string[];
  readonly ring: boolean;
}

function maxSeverity(alerts: readonly Alert[]): Severity {
  let s: Severity = 'LOW';
  for (const a of alerts) if (RANK[a.severity] > RANK[s]) s = a.severity;
  return s;
}

function byTimeThenId(a: Alert, b: Alert): number {
  return a.windowStart - b.windowStart || a.sequence - b.sequence || (a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0);
}

function sellerViews(alerts: readonly Alert[]): SellerView[] {
  const bySeller = new Map<string, Alert[]>();
  for (const a of alerts) {
    const list = bySeller.get(a.sellerId);
    if (list === undefined) bySeller.set(a.sellerId, [a]);
    else list.push(a);
  }
  const views: Omit<SellerView, 'anchor'>[] = [];
  for (const [sellerId, list] of bySeller) {
    list.sort(byTimeThenId);
    const byIncident = new Map<string, Alert[]>();
    for (const a of list) {
      const inc = byIncident.get(a.incidentId);
      if (inc === undefined) byIncident.set(a.incidentId, [a]);
      else inc.push(a);
    }
    const incidents: Incident[] = [...byIncident].map(([id, as]) => {
      const latest = as.reduce((m, a) => (a.sequence > m.sequence ? a : m));
      const strongest = as.reduce((m, a) => (a.score > m.score || (a.score === m.score && a.sequence > m.sequence) ? a : m));
      return { id, alerts: as, latest, strongest, severity: maxSeverity(as) };
    });
    const names = new Set<string>();
    for (const a of list) for (const s of a.signals) names.add(s.name);
    views.push({
      sellerId,
      alerts: list,
      incidents,
      severity: maxSeverity(list),
      score: list.reduce((m, a) => Math.max(m, a.score), -Infinity),
      start: list.reduce((m, a) => Math.min(m, a.windowStart), Infinity),
      end: list.reduce((m, a) => Math.max(m, a.windowEnd), -Infinity),
      signalNames: [...names].sort(),
      ring: list.some((a) => a.scope === 'RING'),
    });
  }
  views.sort((a, b) => RANK[b.severity] - RANK[a.severity] || b.score - a.score || (a.sellerId < b.sellerId ? -1 : 1));
  return views.map((v, i) => ({ ...v, anchor: `seller-${i + 1}` }));
}

function badge(sev: Severity): string {
  return `<span class="badge" style="background:${SEVERITY_COLORS[sev]}">${sev}</span>`;
}

function table(head: readonly string[], rows: readonly string[][], more: number, cls = ''): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  const tail = more > 0 ? `<tr><td colspan="${head.length}" class="more">… and ${more} more</td></tr>` : '';
  return `<table class="${cls}"><thead><tr>${th}</tr></thead><tbody>${body}${tail}</tbody></table>`;
}

function code(text: string): string {
  return `<code>${esc(text)}</code>`;
}

/** What the loaded events say about each id that appears as evidence. */
interface EventIndex {
  readonly placed: Map<string, OrderEvent>;
  readonly lastStatus: Map<string, OrderEvent>;
  readonly reviewByOrder: Map<string, ReviewEvent>;
  readonly reviews: Map<string, ReviewEvent>;
  readonly buyerOrders: Map<string, number>;
  readonly buyerReviews: Map<string, number>;
  readonly buyerCreated: Map<string, number>;
  readonly buyersBy: Record<'deviceIds' | 'addressHashes' | 'paymentHashes', Map<string, Set<string>>>;
}

function indexEvents(events: readonly MarketEvent[]): EventIndex {
  const ix: EventIndex = {
    placed: new Map(),
    lastStatus: new Map(),
    reviewByOrder: new Map(),
    reviews: new Map(),
    buyerOrders: new Map(),
    buyerReviews: new Map(),
    buyerCreated: new Map(),
    buyersBy: { deviceIds: new Map(), addressHashes: new Map(), paymentHashes: new Map() },
  };
  const addBuyer = (m: Map<string, Set<string>>, key: string | null, buyer: string) => {
    if (key === null) return;
    const s = m.get(key);
    if (s === undefined) m.set(key, new Set([buyer]));
    else s.add(buyer);
  };
  for (const e of events) {
    addBuyer(ix.buyersBy.deviceIds, e.deviceId, e.buyerId);
    if (e.kind === 'review') {
      ix.reviews.set(e.reviewId, e);
      if (e.orderId !== null) ix.reviewByOrder.set(e.orderId, e);
      ix.buyerReviews.set(e.buyerId, (ix.buyerReviews.get(e.buyerId) ?? 0) + 1);
      continue;
    }
    addBuyer(ix.buyersBy.addressHashes, e.shippingAddressHash, e.buyerId);
    addBuyer(ix.buyersBy.paymentHashes, e.paymentInstrumentHash, e.buyerId);
    const created = ix.buyerCreated.get(e.buyerId);
    if (created === undefined || e.buyerAccountCreatedAt < created) ix.buyerCreated.set(e.buyerId, e.buyerAccountCreatedAt);
    if (e.status === 'PLACED') {
      ix.placed.set(e.orderId, e);
      ix.buyerOrders.set(e.buyerId, (ix.buyerOrders.get(e.buyerId) ?? 0) + 1);
    }
    const last = ix.lastStatus.get(e.orderId);
    if (last === undefined || e.eventTime >= last.eventTime) ix.lastStatus.set(e.orderId, e);
  }
  return ix;
}

function union(alerts: readonly Alert[], key: keyof EvidenceLists): string[] {
  const s = new Set<string>();
  for (const a of alerts) for (const v of a.evidence[key]) s.add(v);
  return [...s].sort();
}

function evidenceSection(view: SellerView, ix: EventIndex, haveEvents: boolean, maxRows: number, anchors: ReadonlyMap<string, string>): string {
  const out: string[] = [];
  const section = (title: string, values: string[], head: string[], row: (v: string) => string[]) => {
    if (values.length === 0) return;
    const shown = values.slice(0, maxRows);
    out.push(`<h4>${esc(title)} <span class="count">(${values.length})</span></h4>`, table(head, shown.map(row), values.length - shown.length, 'evidence'));
  };
  const n = (m: Map<string, number>, k: string) => (haveEvents ? String(m.get(k) ?? 0) : '—');
  const buyersOf = (key: 'deviceIds' | 'addressHashes' | 'paymentHashes', v: string) => {
    const s = ix.buyersBy[key].get(v);
    return haveEvents ? String(s?.size ?? 0) : '—';
  };
  section('Buyers', union(view.alerts, 'buyerIds'), ['buyer', 'orders placed', 'reviews', 'account created'], (b) => {
    const created = ix.buyerCreated.get(b);
    return [code(b), n(ix.buyerOrders, b), n(ix.buyerReviews, b), created === undefined ? '—' : esc(fmtTime(created))];
  });
  section('Devices', union(view.alerts, 'deviceIds'), ['device', 'buyers using it'], (d) => [code(d), buyersOf('deviceIds', d)]);
  section('IP prefixes', union(view.alerts, 'ipPrefixes'), ['prefix'], (p) => [code(p)]);
  section('Shipping addresses (hashed)', union(view.alerts, 'addressHashes'), ['address hash', 'buyers shipping there'], (a) => [code(a), buyersOf('addressHashes', a)]);
  section('Payment instruments (hashed)', union(view.alerts, 'paymentHashes'), ['payment hash', 'buyers paying with it'], (p) => [code(p), buyersOf('paymentHashes', p)]);
  section('Orders', union(view.alerts, 'orderIds'), ['order', 'buyer', 'placed', 'amount', 'last status', 'review'], (o) => {
    const placed = ix.placed.get(o);
    const last = ix.lastStatus.get(o);
    const review = ix.reviewByOrder.get(o);
    return [
      code(o),
      placed ? code(placed.buyerId) : '—',
      placed ? esc(fmtTime(placed.eventTime)) : '—',
      placed ? esc(fmtMoney(placed.amountCents, placed.currency)) : '—',
      last ? esc(last.status) : '—',
      review ? esc(`${'★'.repeat(Math.max(0, Math.min(5, review.rating)))} ${fmtTime(review.eventTime)}`) : '—',
    ];
  });
  section('Reviews', union(view.alerts, 'reviewIds'), ['review', 'buyer', 'published', 'rating', 'order', 'text'], (r) => {
    const rev = ix.reviews.get(r);
    if (rev === undefined) return [code(r), '—', '—', '—', '—', '—'];
    const text = rev.text.length > 140 ? `${rev.text.slice(0, 140)}…` : rev.text;
    return [code(r), code(rev.buyerId), esc(fmtTime(rev.eventTime)), String(rev.rating), rev.orderId === null ? 'unverified' : code(rev.orderId), esc(text)];
  });
  section('Ring members', union(view.alerts, 'ringSellerIds'), ['seller', 'section in this report'], (s) => {
    const a = anchors.get(s);
    return [code(s), a === undefined ? 'no' : `<a href="#${a}">yes, see section</a>`];
  });
  return out.length > 0 ? out.join('') : '<p class="muted">The alerts carry no evidence lists.</p>';
}

function signalsBlock(inc: Incident): string {
  const signals: readonly SignalFinding[] = inc.strongest.signals;
  if (signals.length === 0) return '<p class="muted">No signals in this alert.</p>';
  const rows = signals.map((s) => [
    code(s.name),
    esc(s.family),
    esc(fmtNum(s.value)),
    esc(fmtNum(s.threshold)),
    s.baseline === null ? '—' : esc(fmtNum(s.baseline)),
    esc(fmtNum(s.strength)),
    esc(fmtDuration(s.horizonMs)),
    esc(s.explanation),
  ]);
  return (
    `<div class="plot">${signalBarsSvg(signals)}</div>` +
    `<p class="legend"><span class="key sus"></span> measured value (opacity: strength) <span class="key thr"></span> threshold <span class="key base"></span> baseline — each bar on its own scale</p>` +
    table(['signal', 'family', 'value', 'threshold', 'baseline', 'strength', 'horizon', 'what was seen'], rows, 0, 'signals')
  );
}

function sellerSection(view: SellerView, input: ReportInput, anchors: ReadonlyMap<string, string>): string {
  const events = input.eventsBySeller?.get(view.sellerId) ?? EMPTY_EVENTS;
  const haveEvents = input.eventsBySeller !== undefined;
  const dropped = input.droppedBySeller?.get(view.sellerId) ?? 0;
  const ix = indexEvents(events);
  const suspicious = {
    orders: new Set(union(view.alerts, 'orderIds')),
    reviews: new Set(union(view.alerts, 'reviewIds')),
    buyers: new Set(union(view.alerts, 'buyerIds')),
  };
  const svg = timelineSvg({
    events,
    windows: view.incidents.map((inc) => ({
      start: inc.alerts.reduce((m, a) => Math.min(m, a.windowStart), Infinity),
      end: inc.alerts.reduce((m, a) => Math.max(m, a.windowEnd), -Infinity),
      severity: inc.severity,
      label: `${inc.latest.scope === 'RING' ? 'ring ' : ''}${inc.severity}`,
    })),
    // When each incident was first raised: one mark per incident, however many updates it had.
    detections: view.incidents.map((inc) => inc.alerts.reduce((m, a) => Math.min(m, a.detectedAt), Infinity)),
    suspiciousOrderIds: suspicious.orders,
    suspiciousReviewIds: suspicious.reviews,
    suspiciousBuyerIds: suspicious.buyers,
  });
  const maxRows = input.maxRows ?? 100;
  const history = table(
    ['action', 'seq', 'scope', 'severity', 'score', 'window', 'detected at', 'alert id'],
    view.alerts.slice(0, maxRows).map((a) => [
      esc(a.action),
      String(a.sequence),
      esc(a.scope),
      badge(a.severity),
      esc(fmtNum(a.score)),
      esc(`${fmtTime(a.windowStart)} – ${fmtTime(a.windowEnd)}`),
      esc(fmtTime(a.detectedAt)),
      code(a.alertId.slice(0, 12)),
    ]),
    Math.max(0, view.alerts.length - maxRows),
    'history',
  );
  const incidents = view.incidents
    .map(
      (inc) =>
        `<div class="incident"><h4>Incident ${code(inc.id.slice(0, 12))} — ${badge(inc.severity)} ${esc(inc.latest.action === 'RESOLVE' ? 'resolved' : 'open')}, highest score ${esc(fmtNum(inc.strongest.score))} (${esc(`${inc.strongest.action} #${inc.strongest.sequence}`)}, signals below), ${esc(`${fmtTime(inc.strongest.windowStart)} – ${fmtTime(inc.strongest.windowEnd)}`)}</h4>${signalsBlock(inc)}</div>`,
    )
    .join('');
  const eventNote = !haveEvents
    ? 'No event file was given: the timeline shows the alert windows only.'
    : `${events.length} events of this seller drawn${dropped > 0 ? `; ${dropped} more left out by the per-seller cap` : ''}.`;
  return (
    `<section class="seller" id="${view.anchor}">` +
    `<h2>${badge(view.severity)} Seller ${code(view.sellerId)}</h2>` +
    `<p class="meta">${view.incidents.length} incident(s), ${view.alerts.length} alert(s), highest score ${esc(fmtNum(view.score))}${view.ring ? ', part of a collusion ring' : ''}. ${esc(eventNote)}</p>` +
    `<h3>Timeline</h3><div class="plot">${svg}</div>` +
    `<p class="legend"><span class="key sus"></span> by suspicious buyers / in evidence <span class="key five"></span> other 5-star reviews <span class="key norm"></span> other <span class="key win"></span> alert window <span class="key det"></span> detected at</p>` +
    `<h3>Signals against thresholds</h3>${incidents}` +
    `<h3>Evidence</h3>${evidenceSection(view, ix, haveEvents, maxRows, anchors)}` +
    `<h3>Alert history</h3>${history}` +
    `<p class="top"><a href="#summary">back to the summary</a></p></section>`
  );
}

function summary(views: readonly SellerView[], input: ReportInput): string {
  const alerts = input.alerts;
  const incidents = views.flatMap((v) => v.incidents);
  // Loops, not Math.min(...spread): a large alert file would overflow the argument limit.
  let start = Infinity;
  let end = -Infinity;
  let detFirst = Infinity;
  let detLast = -Infinity;
  for (const a of alerts) {
    start = Math.min(start, a.windowStart);
    end = Math.max(end, a.windowEnd);
    detFirst = Math.min(detFirst, a.detectedAt);
    detLast = Math.max(detLast, a.detectedAt);
  }
  let drawn = 0;
  for (const v of views) drawn += input.eventsBySeller?.get(v.sellerId)?.length ?? 0;
  let dropped = 0;
  for (const n of input.droppedBySeller?.values() ?? []) dropped += n;
  const card = (label: string, value: string) => `<div class="card"><div class="v">${value}</div><div class="l">${esc(label)}</div></div>`;
  const cards = [
    card('alerts', String(alerts.length)),
    card('incidents', String(incidents.length)),
    card('sellers alerted', String(views.length)),
    card('ring alerts', String(alerts.filter((a) => a.scope === 'RING').length)),
    card('events drawn', input.eventsBySeller === undefined ? '—' : `${drawn}${dropped > 0 ? ` <small>(+${dropped} capped)</small>` : ''}`),
  ].join('');
  const perSeverity = new Map<Severity, number>(SEVERITIES.map((s) => [s, 0]));
  for (const a of alerts) perSeverity.set(a.severity, (perSeverity.get(a.severity) ?? 0) + 1);
  const maxCount = Math.max(1, ...perSeverity.values());
  const sevRows = [...SEVERITIES].reverse().map((s) => {
    const n = perSeverity.get(s) ?? 0;
    return [
      badge(s),
      String(n),
      String(incidents.filter((i) => i.severity === s).length),
      String(views.filter((v) => v.severity === s).length),
      `<div class="hbar" style="width:${Math.round((n / maxCount) * 100)}%;background:${SEVERITY_COLORS[s]}"></div>`,
    ];
  });
  const detailed = input.maxSellerSections ?? views.length;
  const sellerRows = views.map((v, i) => [
    i < detailed ? `<a href="#${v.anchor}">${code(v.sellerId)}</a>` : code(v.sellerId),
    badge(v.severity),
    esc(fmtNum(v.score)),
    String(v.incidents.length),
    esc(`${fmtTime(v.start)} – ${fmtTime(v.end)}`),
    v.signalNames.map(code).join(' '),
  ]);
  // Per signal: in how many incidents (strongest alert) and for how many sellers it fired.
  const bySignal = new Map<string, { family: string; incidents: number; sellers: Set<string> }>();
  for (const v of views) {
    for (const inc of v.incidents) {
      for (const sig of inc.strongest.signals) {
        const row = bySignal.get(sig.name) ?? { family: sig.family, incidents: 0, sellers: new Set<string>() };
        row.incidents++;
        row.sellers.add(v.sellerId);
        bySignal.set(sig.name, row);
      }
    }
  }
  const signalRows = [...bySignal]
    .sort(([a, x], [b, y]) => y.incidents - x.incidents || (a < b ? -1 : 1))
    .map(([name, r]) => [code(name), esc(r.family), String(r.incidents), String(r.sellers.size)]);
  const span = alerts.length === 0 ? 'no alerts' : `${fmtTime(start)} – ${fmtTime(end)} (${fmtDuration(end - start)})`;
  const det = alerts.length === 0 ? '' : `; decisions taken between ${fmtTime(detFirst)} and ${fmtTime(detLast)} (event time)`;
  const omitted = views.length - Math.min(detailed, views.length);
  const allNotes = [...(input.notes ?? []), ...(omitted > 0 ? [`${omitted} less severe seller(s) are listed below without a section (section limit ${detailed})`] : [])];
  const notes = allNotes.map((n) => `<li>${esc(n)}</li>`).join('');
  return (
    `<section id="summary"><h2>Summary</h2><div class="cards">${cards}</div>` +
    `<p>Alert windows span ${esc(span)}${esc(det)}.</p>` +
    (notes === '' ? '' : `<ul class="notes">${notes}</ul>`) +
    `<h3>By severity</h3>${table(['severity', 'alerts', 'incidents (highest severity)', 'sellers (highest severity)', ''], sevRows, 0, 'sev')}` +
    (signalRows.length === 0 ? '' : `<h3>Signals</h3>${table(['signal', 'family', 'incidents', 'sellers'], signalRows, 0, 'signal-summary')}`) +
    `<h3>Sellers</h3>${views.length === 0 ? '<p class="muted">No seller was alerted.</p>' : table(['seller', 'severity', 'max score', 'incidents', 'alert windows', 'signals'], sellerRows, 0, 'sellers')}` +
    `</section>`
  );
}

const CSS = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1d2329;margin:0;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:24px}
header h1{margin:0 0 4px;font-size:24px}
h2{font-size:20px;margin:0 0 8px;display:flex;gap:10px;align-items:center}
h3{font-size:16px;margin:20px 0 8px;border-bottom:1px solid #e3e7eb;padding-bottom:4px}
h4{font-size:14px;margin:14px 0 6px}
section{background:#fff;border:1px solid #e3e7eb;border-radius:8px;padding:18px 20px;margin:18px 0}
.muted,.meta,.legend,.sources{color:#5b6570}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:8px 0 12px}
.card{border:1px solid #e3e7eb;border-radius:6px;padding:10px 16px;min-width:140px}
.card .v{font-size:22px;font-weight:600}.card .l{color:#5b6570}
.badge{display:inline-block;color:#fff;font-size:11px;font-weight:700;letter-spacing:.04em;border-radius:4px;padding:2px 7px;vertical-align:middle}
table{border-collapse:collapse;width:100%;margin:4px 0 10px;font-size:13px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eef0f2;vertical-align:top}
th{background:#f1f3f5;font-weight:600}
td.more{color:#5b6570;font-style:italic}
table.sev td:last-child{width:40%}
.hbar{height:12px;border-radius:2px}
code{font:12px/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1f3f5;padding:1px 4px;border-radius:3px;word-break:break-all}
.plot{overflow-x:auto}
svg{display:block;max-width:100%;height:auto}
svg text{font:11px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:#4a5563}
svg text.lane{font-size:12px;fill:#1d2329}
svg text.win{font-size:11px;font-weight:700}
svg text.empty{font-size:13px;fill:#5b6570}
.key{display:inline-block;width:12px;height:12px;vertical-align:middle;margin:0 4px 0 10px;border-radius:2px}
.key.sus{background:#c62828}.key.five{background:#e0a526}.key.norm{background:#9aa5b1}
.key.win{background:rgba(198,40,40,.15);border:1px dashed #c62828}.key.det{border-left:2px dashed #111;border-radius:0;width:4px}
.key.thr{background:#111;width:3px}.key.base{border-left:2px dashed #1f6feb;border-radius:0;width:4px}
.incident{border-left:3px solid #e3e7eb;padding-left:12px;margin:10px 0}
.notes{color:#8a4b00}
.top{margin:10px 0 0;font-size:12px}
@media print{body{background:#fff}section{break-inside:avoid-page;border:none}}
`;

export function renderReport(input: ReportInput): string {
  const views = sellerViews(input.alerts);
  // Only sellers with a section can be linked to.
  const anchors = new Map(views.slice(0, input.maxSellerSections ?? views.length).map((v) => [v.sellerId, v.anchor]));
  const title = input.title ?? 'brushwatch audit report';
  const sources = (input.sources ?? []).map((s) => code(s)).join(', ');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="brushwatch report">',
    `<title>${esc(title)}</title><style>${CSS}</style></head><body><main>`,
    `<header><h1>${esc(title)}</h1>`,
    `<p class="sources">Brushing alerts${sources === '' ? '' : ` from ${sources}`}. Times are UTC and event time (when things happened on the marketplace), not the time of this report.</p></header>`,
    summary(views, input),
    ...views.slice(0, input.maxSellerSections ?? views.length).map((v) => sellerSection(v, input, anchors)),
    '</main></body></html>',
    '',
  ].join('\n');
}
