/**
 * Inline SVG plots of the report: a seller's timeline (orders and reviews per time bin, the
 * suspicious share in red, alert windows shaded) and the signals against their thresholds.
 * Binned rather than one mark per event, so the drawing stays small whatever the volume.
 */
import type { MarketEvent, Severity, SignalFinding } from '../engine/types.js';
import { esc, fmtNum, fmtTime } from './format.js';

export const SEVERITY_COLORS: Record<Severity, string> = {
  LOW: '#3b82c4',
  MEDIUM: '#d9a21b',
  HIGH: '#e06c1f',
  CRITICAL: '#c62828',
};

const C = { normal: '#9aa5b1', suspicious: '#c62828', fiveStar: '#e0a526', axis: '#4a5563', grid: '#e3e7eb' };

export interface TimelineWindow {
  readonly start: number;
  readonly end: number;
  readonly severity: Severity;
  readonly label: string;
}

export interface TimelineInput {
  readonly events: readonly MarketEvent[];
  readonly windows: readonly TimelineWindow[];
  /** detectedAt of the alerts: when the detector decided (event time). */
  readonly detections: readonly number[];
  readonly suspiciousOrderIds: ReadonlySet<string>;
  readonly suspiciousReviewIds: ReadonlySet<string>;
  readonly suspiciousBuyerIds: ReadonlySet<string>;
}

const W = 1100;
const LEFT = 130;
const RIGHT = 16;
const BINS = 80;
const PLOT_W = W - LEFT - RIGHT;

function px(n: number): string {
  return String(Math.round(n * 10) / 10);
}

interface Lane {
  readonly title: string;
  readonly y: number;
  readonly h: number;
}

/** Stacked bars: each bin is a list of [count, colour] from the bottom up. */
function bars(lane: Lane, bins: readonly (readonly (readonly [number, string])[])[], binW: number): string {
  const max = Math.max(1, ...bins.map((b) => b.reduce((s, [n]) => s + n, 0)));
  const out: string[] = [
    `<text x="${LEFT - 8}" y="${px(lane.y + lane.h / 2)}" text-anchor="end" dominant-baseline="middle" class="lane">${esc(lane.title)}</text>`,
    `<text x="${LEFT - 8}" y="${px(lane.y + 6)}" text-anchor="end" class="tick">${max}/bin</text>`,
    `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${px(lane.y + lane.h)}" y2="${px(lane.y + lane.h)}" stroke="${C.grid}"/>`,
  ];
  bins.forEach((stack, i) => {
    let base = lane.y + lane.h;
    for (const [n, color] of stack) {
      if (n === 0) continue;
      const h = (n / max) * lane.h;
      base -= h;
      out.push(`<rect x="${px(LEFT + i * binW + 0.5)}" y="${px(base)}" width="${px(Math.max(1, binW - 1))}" height="${px(h)}" fill="${color}"/>`);
    }
  });
  return out.join('');
}

export function timelineSvg(t: TimelineInput): string {
  let t0 = Infinity;
  let t1 = -Infinity;
  const see = (ms: number) => {
    if (ms < t0) t0 = ms;
    if (ms > t1) t1 = ms;
  };
  for (const w of t.windows) {
    see(w.start);
    see(w.end);
  }
  for (const ms of t.detections) see(ms);
  for (const e of t.events) see(e.eventTime);
  if (!Number.isFinite(t0)) t0 = t1 = 0;
  if (!(t1 > t0)) {
    t0 -= 3_600_000;
    t1 += 3_600_000;
  }
  const pad = (t1 - t0) * 0.02;
  t0 -= pad;
  t1 += pad;
  const binMs = (t1 - t0) / BINS;
  const binW = PLOT_W / BINS;
  const x = (ms: number) => LEFT + ((ms - t0) / (t1 - t0)) * PLOT_W;
  const bin = (ms: number) => Math.min(BINS - 1, Math.max(0, Math.floor((ms - t0) / binMs)));

  // Per bin: orders (suspicious, other), reviews (suspicious, other 5-star, other).
  const counts = Array.from({ length: 5 }, () => new Int32Array(BINS));
  const bump = (series: number, b: number) => {
    const arr = counts[series] as Int32Array;
    arr[b] = (arr[b] ?? 0) + 1;
  };
  const reversals: number[] = [];
  for (const e of t.events) {
    const b = bin(e.eventTime);
    if (e.kind === 'order') {
      if (e.status === 'PLACED') {
        bump(t.suspiciousOrderIds.has(e.orderId) || t.suspiciousBuyerIds.has(e.buyerId) ? 0 : 1, b);
      } else if (e.status === 'REFUNDED' || e.status === 'CANCELLED') {
        reversals.push(e.eventTime);
      }
    } else {
      const sus = t.suspiciousReviewIds.has(e.reviewId) || t.suspiciousBuyerIds.has(e.buyerId);
      bump(sus ? 2 : e.rating === 5 ? 3 : 4, b);
    }
  }
  const at = (series: number, b: number) => (counts[series] as Int32Array)[b] ?? 0;
  const orderBins = Array.from({ length: BINS }, (_, b) => [[at(0, b), C.suspicious], [at(1, b), C.normal]] as const);
  const reviewBins = Array.from({ length: BINS }, (_, b) => [[at(2, b), C.suspicious], [at(3, b), C.fiveStar], [at(4, b), C.normal]] as const);

  const top = 26;
  const ordersLane: Lane = { title: 'Orders placed', y: top, h: 80 };
  const reviewsLane: Lane = { title: 'Reviews', y: top + 92, h: 80 };
  const revLane: Lane = { title: 'Refunds / cancels', y: top + 184, h: 16 };
  const axisY = revLane.y + revLane.h + 6;
  const H = axisY + 34;

  const parts: string[] = [];
  for (const w of t.windows) {
    const x0 = x(w.start);
    const x1 = Math.max(x0 + 2, x(w.end));
    const color = SEVERITY_COLORS[w.severity];
    parts.push(
      `<rect x="${px(x0)}" y="${top - 4}" width="${px(x1 - x0)}" height="${px(axisY - top + 4)}" fill="${color}" fill-opacity="0.12" stroke="${color}" stroke-dasharray="4 3"><title>${esc(`${w.label}: ${fmtTime(w.start)} – ${fmtTime(w.end)}`)}</title></rect>`,
      `<text x="${px(x0 + 3)}" y="${top - 8}" class="win" fill="${color}">${esc(w.label)}</text>`,
    );
  }
  parts.push(
    bars(ordersLane, orderBins, binW),
    bars(reviewsLane, reviewBins, binW),
    `<text x="${LEFT - 8}" y="${px(revLane.y + revLane.h / 2)}" text-anchor="end" dominant-baseline="middle" class="lane">${esc(revLane.title)}</text>`,
  );
  for (const ms of reversals) parts.push(`<line x1="${px(x(ms))}" x2="${px(x(ms))}" y1="${revLane.y}" y2="${revLane.y + revLane.h}" stroke="${C.axis}"/>`);
  for (const ms of t.detections) {
    parts.push(`<line x1="${px(x(ms))}" x2="${px(x(ms))}" y1="${top - 4}" y2="${axisY}" stroke="#111" stroke-width="1.5" stroke-dasharray="2 2"><title>${esc(`detected at ${fmtTime(ms)}`)}</title></line>`);
  }
  parts.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${axisY}" y2="${axisY}" stroke="${C.axis}"/>`);
  const ticks = 6;
  for (let i = 0; i <= ticks; i++) {
    const ms = t0 + ((t1 - t0) * i) / ticks;
    const tx = x(ms);
    const [date = '', clock = ''] = fmtTime(ms).split(' ');
    const anchor = i === 0 ? 'start' : i === ticks ? 'end' : 'middle';
    parts.push(
      `<line x1="${px(tx)}" x2="${px(tx)}" y1="${axisY}" y2="${axisY + 4}" stroke="${C.axis}"/>`,
      `<text x="${px(tx)}" y="${axisY + 16}" text-anchor="${anchor}" class="tick">${esc(date)}</text>`,
      `<text x="${px(tx)}" y="${axisY + 28}" text-anchor="${anchor}" class="tick">${esc(clock.slice(0, 5))}Z</text>`,
    );
  }
  if (t.events.length === 0) {
    parts.push(`<text x="${px(LEFT + PLOT_W / 2)}" y="${px(reviewsLane.y)}" text-anchor="middle" class="empty">no events loaded for this seller (give --events to draw them)</text>`);
  }
  const label = `Timeline of orders and reviews, ${fmtTime(t0)} to ${fmtTime(t1)}, alert windows shaded`;
  return (
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(label)}">` +
    `<title>${esc(label)}</title>${parts.join('')}</svg>`
  );
}

/**
 * One bar per signal, each on its own scale (signals have different units): the threshold sits
 * at a fixed fraction of the scale's maximum, the bar is the measured value, the dotted line is the
 * baseline. Bar opacity follows the signal's strength.
 */
export function signalBarsSvg(signals: readonly SignalFinding[]): string {
  const rowH = 30;
  const left = 230;
  const barW = 520;
  const width = left + barW + 240;
  const height = signals.length * rowH + 8;
  const parts: string[] = [];
  signals.forEach((s, i) => {
    const y = 4 + i * rowH;
    const scale = Math.max(Math.abs(s.value), Math.abs(s.threshold), Math.abs(s.baseline ?? 0), 1e-9) * 1.25;
    const at = (v: number) => left + (Math.max(0, v) / scale) * barW;
    const strength = Math.min(1, Math.max(0, s.strength));
    parts.push(
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end" class="lane">${esc(s.name)}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${barW}" height="18" fill="#f1f3f5"/>`,
      `<rect x="${left}" y="${y + 4}" width="${px(at(s.value) - left)}" height="18" fill="${C.suspicious}" fill-opacity="${px(0.3 + 0.7 * strength)}"/>`,
      `<line x1="${px(at(s.threshold))}" x2="${px(at(s.threshold))}" y1="${y}" y2="${y + 26}" stroke="#111" stroke-width="2"><title>threshold ${esc(fmtNum(s.threshold))}</title></line>`,
    );
    if (s.baseline !== null) {
      parts.push(`<line x1="${px(at(s.baseline))}" x2="${px(at(s.baseline))}" y1="${y + 2}" y2="${y + 24}" stroke="#1f6feb" stroke-width="2" stroke-dasharray="2 2"><title>baseline ${esc(fmtNum(s.baseline))}</title></line>`);
    }
    parts.push(
      `<text x="${left + barW + 10}" y="${y + 15}" class="tick">${esc(`${fmtNum(s.value)} vs ${fmtNum(s.threshold)} · strength ${fmtNum(s.strength)}`)}</text>`,
    );
  });
  const label = `Signals against their thresholds: ${signals.map((s) => s.name).join(', ')}`;
  return (
    `<svg class="signals" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(label)}">` +
    `<title>${esc(label)}</title>${parts.join('')}</svg>`
  );
}
