/**
 * A fast parser for the one line shape replay files nearly always hold: a flat JSON object of
 * contract fields (../shared/contract/events.md) with plain string, integer, boolean and null
 * values. It scans the UTF-8 bytes once and builds one fixed-shape object per kind holding that
 * kind's contract fields (others skipped), which is all validation reads. Anything else (escapes,
 * decimals, exponents, nested values, a repeated key, a missing or odd kind, invalid UTF-8, a
 * syntax error) returns undefined and the caller falls back to JSON.parse, so the result is
 * always what JSON.parse + validation would have concluded.
 *
 * Why: JSON.parse plus the generic object it builds was the bound of the NDJSON replay (about
 * 300,000 lines per second here); this path skips the decode of the whole chunk to a string, the
 * key internalisation and the dictionary-shaped objects.
 */

/** Contract fields of both kinds, in a fixed order: index in `vals` below. */
const FIELDS = [
  'kind',
  'eventId',
  'orderId',
  'status',
  'eventTime',
  'sellerId',
  'buyerId',
  'itemId',
  'quantity',
  'amountCents',
  'currency',
  'buyerAccountCreatedAt',
  'deviceId',
  'ipAddress',
  'shippingAddressHash',
  'paymentInstrumentHash',
  'trackingNumber',
  'carrier',
  'parcelWeightGrams',
  'reviewId',
  'rating',
  'text',
  'hasMedia',
] as const;
const UNKNOWN = -1;

/** Key bytes hashed as they are scanned, then checked byte by byte (a hash alone could alias). */
const keyHash = (h: number, c: number): number => (Math.imul(h, 31) + c) | 0;
/**
 * Field index + 1 by key hash, open addressing in a typed array (0 = empty): a Map lookup per
 * key (23 per line) was a fifth of the parse.
 */
const KEY_SLOTS = 128;
const keySlot = (h: number): number => (h ^ (h >>> 7) ^ (h >>> 14)) & (KEY_SLOTS - 1);
const FIELD_BY_HASH = new Int8Array(KEY_SLOTS);
const FIELD_HASH = new Int32Array(FIELDS.length);
const FIELD_BYTES: Uint8Array[] = FIELDS.map((f, i) => {
  let h = 0;
  for (let j = 0; j < f.length; j++) h = keyHash(h, f.charCodeAt(j));
  if (FIELD_HASH.includes(h)) throw new Error('event-line: field hashes collide');
  FIELD_HASH[i] = h;
  let s = keySlot(h);
  while (FIELD_BY_HASH[s] !== 0) s = (s + 1) & (KEY_SLOTS - 1);
  FIELD_BY_HASH[s] = i + 1;
  return Buffer.from(f, 'latin1');
});

function fieldOf(h: number): number {
  for (let s = keySlot(h); FIELD_BY_HASH[s] !== 0; s = (s + 1) & (KEY_SLOTS - 1)) {
    const f = FIELD_BY_HASH[s]! - 1;
    if (FIELD_HASH[f] === h) return f;
  }
  return UNKNOWN;
}

/**
 * Fields with a handful of values (kind, status, currency, carrier): their last few strings are
 * reused when the bytes match, instead of a new string per line.
 */
const FEW_VALUES = new Set<string>(['kind', 'status', 'currency', 'carrier']);
const CACHED = 8;
const cacheBytes: (Uint8Array[] | null)[] = FIELDS.map((f) => (FEW_VALUES.has(f) ? [] : null));
const cacheStrings: string[][] = FIELDS.map(() => []);

/** Buffer's latin1Slice / utf8Slice (Node ≥ 20, not in the typings) skip toString's argument and encoding handling. */
type Slicing = Buffer & { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string };

/**
 * A string of ASCII bytes [s, e). Up to a few dozen bytes, String.fromCharCode with the codes as
 * arguments builds it without leaving JavaScript: 16 ns for a 9-byte id against 45 ns for
 * latin1Slice, a call into C++ (a line holds about ten ids); the call amortises on longer strings.
 */
const F = String.fromCharCode;
const CODES: number[][] = Array.from({ length: 33 }, (_, n) => new Array<number>(n).fill(0));
function ascii(b: Buffer, s: number, e: number): string {
  switch (e - s) {
    case 0:
      return '';
    case 1:
      return F(b[s]!);
    case 2:
      return F(b[s]!, b[s + 1]!);
    case 3:
      return F(b[s]!, b[s + 1]!, b[s + 2]!);
    case 4:
      return F(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    case 5:
      return F(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!);
    case 6:
      return F(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!);
    case 7:
      return F(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!);
    case 8:
      return F(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!);
    case 9:
      return F(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!);
    case 10:
      return F(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!);
    case 11:
      return F(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!);
    case 12:
      return F(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!);
  }
  const n = e - s;
  if (n > 32) return (b as Slicing).latin1Slice(s, e);
  const codes = CODES[n]!;
  for (let i = 0; i < n; i++) codes[i] = b[s + i]!;
  return F.apply(null, codes);
}

function cachedString(field: number, list: Uint8Array[], buf: Buffer, s: number, e: number): string {
  const n = e - s;
  for (let k = 0; k < list.length; k++) {
    const b = list[k]!;
    if (b.length !== n) continue;
    let j = 0;
    while (j < n && b[j] === buf[s + j]) j++;
    if (j === n) return cacheStrings[field]![k]!;
  }
  const v = ascii(buf, s, e);
  // A field that turns out to have many values simply stops caching once full.
  if (list.length < CACHED) {
    list.push(Uint8Array.from(buf.subarray(s, e)));
    cacheStrings[field]!.push(v);
  }
  return v;
}

const vals: unknown[] = new Array<unknown>(FIELDS.length).fill(undefined);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** String bytes that need no check: printable ASCII other than the quote and the backslash. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = c === QUOTE || c === BACKSLASH ? 0 : 1;

/**
 * after[row + f + 1]: the field whose key followed field f's last time (f = UNKNOWN: the first
 * key); row 0 before the kind is known, then one row per kind (their keys differ).
 */
const ROW = FIELDS.length + 1;
const after = new Int8Array(3 * ROW).fill(UNKNOWN);

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/**
 * Parses bytes [start, end) of `buf` (one line, without its '\n'). Returns the record, or
 * undefined when the line is not of the simple shape (the caller then uses JSON.parse).
 */
export function parseEventLine(buf: Buffer, start: number, end: number): Record<string, unknown> | undefined {
  let i = start;
  while (i < end && isSpace(buf[i]!)) i++;
  if (buf[i] !== 0x7b) return undefined;
  i++;
  vals.fill(undefined);
  let seen = 0;
  let prev = UNKNOWN;
  let row = 0;
  for (;;) {
    while (i < end && isSpace(buf[i]!)) i++;
    if (buf[i] !== QUOTE) return undefined;
    const ks = ++i;
    // Files repeat one key order: the key that followed this one last time is tried first.
    let field = UNKNOWN;
    const guess = after[row + prev + 1]!;
    if (guess !== UNKNOWN) {
      const fb = FIELD_BYTES[guess]!;
      const n = fb.length;
      if (ks + n < end && buf[ks + n] === QUOTE) {
        let j = 0;
        while (j < n && fb[j] === buf[ks + j]) j++;
        if (j === n) {
          field = guess;
          i = ks + n;
        }
      }
    }
    let c = 0;
    if (field === UNKNOWN) {
      let h = 0;
      while (i < end && (c = buf[i]!) !== QUOTE) {
        if (c === BACKSLASH || c >= 0x80) return undefined;
        h = keyHash(h, c);
        i++;
      }
      if (i >= end) return undefined;
      field = fieldOf(h);
      if (field !== UNKNOWN) {
        const fb = FIELD_BYTES[field]!;
        if (fb.length !== i - ks) field = UNKNOWN;
        else
          for (let j = 0; j < fb.length; j++)
            if (fb[j] !== buf[ks + j]) {
              field = UNKNOWN;
              break;
            }
      }
      if (field !== UNKNOWN) after[row + prev + 1] = field;
    }
    if (field !== UNKNOWN) prev = field;
    i++;
    while (i < end && isSpace(buf[i]!)) i++;
    if (buf[i] !== 0x3a) return undefined;
    i++;
    while (i < end && isSpace(buf[i]!)) i++;
    if (i >= end) return undefined;
    c = buf[i]!;
    let v: unknown;
    if (c === QUOTE) {
      const vs = ++i;
      let plain = true;
      for (;;) {
        while (i < end && PLAIN[buf[i]!] === 1) i++;
        if (i >= end) return undefined;
        c = buf[i]!;
        if (c === QUOTE) break;
        // A backslash or a control character (invalid in JSON strings): JSON.parse decides.
        // Non-ASCII is decoded and checked below; in a skipped field, JSON.parse judges it.
        if (c < 0x80 || field === UNKNOWN) return undefined;
        plain = false;
        i++;
      }
      if (field !== UNKNOWN) {
        const few = cacheBytes[field]!;
        if (plain) v = few !== null ? cachedString(field, few, buf, vs, i) : ascii(buf, vs, i);
        else {
          const s = (buf as Slicing).utf8Slice(vs, i);
          // Invalid UTF-8 (or a real U+FFFD): the slow path tells the two apart.
          if (s.includes('\uFFFD')) return undefined;
          v = s;
        }
      }
      i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const neg = c === 0x2d;
      if (neg) i++;
      const ds = i;
      let n = 0;
      while (i < end && (c = buf[i]!) >= 0x30 && c <= 0x39) {
        n = n * 10 + (c - 0x30);
        i++;
      }
      const digits = i - ds;
      // Up to 15 digits is exact in a double; a leading zero, a fraction or an exponent is not simple.
      if (digits === 0 || digits > 15 || (digits > 1 && buf[ds] === 0x30)) return undefined;
      if (i < end && (c === 0x2e || c === 0x65 || c === 0x45)) return undefined;
      v = neg ? -n : n;
    } else if (c === 0x74 && buf[i + 1] === 0x72 && buf[i + 2] === 0x75 && buf[i + 3] === 0x65) {
      v = true;
      i += 4;
    } else if (c === 0x66 && buf[i + 1] === 0x61 && buf[i + 2] === 0x6c && buf[i + 3] === 0x73 && buf[i + 4] === 0x65) {
      v = false;
      i += 5;
    } else if (c === 0x6e && buf[i + 1] === 0x75 && buf[i + 2] === 0x6c && buf[i + 3] === 0x6c) {
      v = null;
      i += 4;
    } else return undefined;
    if (field !== UNKNOWN) {
      // JSON.parse keeps the last of a repeated key; rare enough to leave to it.
      if ((seen & (1 << field)) !== 0) return undefined;
      seen |= 1 << field;
      vals[field] = v;
      if (field === 0) row = v === 'order' ? ROW : v === 'review' ? 2 * ROW : 0;
    }
    while (i < end && isSpace(buf[i]!)) i++;
    if (i >= end) return undefined;
    c = buf[i++]!;
    if (c === 0x2c) continue;
    if (c !== 0x7d) return undefined;
    break;
  }
  while (i < end && isSpace(buf[i]!)) i++;
  if (i !== end) return undefined;
  const kind = vals[0];
  // Only the kind's own fields, in the contract's order: validation reads no others, and a
  // short-lived record a chunk's batch holds is a quarter smaller than one with both kinds'.
  if (kind === 'order')
    return {
      kind,
      eventId: vals[1],
      orderId: vals[2],
      status: vals[3],
      eventTime: vals[4],
      sellerId: vals[5],
      buyerId: vals[6],
      itemId: vals[7],
      quantity: vals[8],
      amountCents: vals[9],
      currency: vals[10],
      buyerAccountCreatedAt: vals[11],
      deviceId: vals[12],
      ipAddress: vals[13],
      shippingAddressHash: vals[14],
      paymentInstrumentHash: vals[15],
      trackingNumber: vals[16],
      carrier: vals[17],
      parcelWeightGrams: vals[18],
    };
  if (kind === 'review')
    return {
      kind,
      eventId: vals[1],
      reviewId: vals[19],
      eventTime: vals[4],
      orderId: vals[2],
      sellerId: vals[5],
      buyerId: vals[6],
      itemId: vals[7],
      rating: vals[20],
      text: vals[21],
      hasMedia: vals[22],
      deviceId: vals[12],
      ipAddress: vals[13],
    };
  return undefined;
}
