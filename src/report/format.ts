/** Escaping and number/time formatting shared by the report's HTML and SVG. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values alike. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** UTC, to the second: `2026-01-01 13:05:00Z`. Invalid times render as "—". */
export function fmtTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '—' : d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

export function fmtDuration(ms: number): string {
  if (ms <= 0 || !Number.isFinite(ms)) return '0 s';
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1_000, 's'],
  ];
  for (const [size, name] of units) {
    if (ms >= size) {
      const v = ms / size;
      return `${Number.isInteger(v) ? v : v.toFixed(1)} ${name}`;
    }
  }
  return `${ms} ms`;
}

/** Up to 4 significant digits, no exponent for ordinary magnitudes. */
export function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs >= 0.001) return String(Number(x.toPrecision(4)));
  return x.toExponential(2);
}

/** Money in minor units: `12.99 USD`. */
export function fmtMoney(cents: number, currency: string): string {
  return `${(cents / 100).toFixed(2)} ${currency}`;
}
