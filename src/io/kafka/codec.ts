/**
 * Record codecs per topic: Confluent-framed Avro through a schema registry, or JSON.
 *
 * Avro decoding is synchronous on the hot path: the avsc `Type` of each schema id is fetched once
 * and cached; `prefetch` runs once per fetched batch and resolves only ids not seen before, so a
 * warm cache costs no await per record. The decoded object goes to the engine's validation.
 */
import { readFileSync } from 'node:fs';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avsc from 'avsc';
import type { Alert, EventKind, MarketEvent } from '../../engine/types.js';
import { INVALID_REASONS } from '../../engine/types.js';
import { BrushwatchError } from '../../errors.js';

export const CODEC_NAMES = ['avro', 'json'] as const;
export type CodecName = (typeof CODEC_NAMES)[number];

/**
 * Why a record went to the dead-letter topic: the contract's INVALID_REASONS plus what only the
 * wire format can get wrong. Stable codes: metric label values and the `brushwatch-reason` header.
 */
export const DEAD_LETTER_REASONS = {
  ...INVALID_REASONS,
  EMPTY_VALUE: 'EMPTY_VALUE',
  WRONG_MAGIC_BYTE: 'WRONG_MAGIC_BYTE',
  UNKNOWN_SCHEMA_ID: 'UNKNOWN_SCHEMA_ID',
} as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[keyof typeof DEAD_LETTER_REASONS];

/** Returned by `decode` instead of a record; the why is in `decoder.failure`. */
export const DECODE_FAILED: unique symbol = Symbol('DECODE_FAILED');

export interface DecodeFailure {
  reason: DeadLetterReason;
  detail: string;
}

const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;
/** An id the registry said it does not know is asked again only after this long (ms, wall time). */
const UNKNOWN_ID_RETRY_MS = 30_000;
/** Bounded caches: a stream of garbage ids must not grow memory. */
const MAX_CACHED_SCHEMAS = 1_000;
const MAX_UNKNOWN_IDS = 10_000;

export type AvroType = avsc.Type;

/** Where schemas come from: the registry in production; anything with this shape in unit tests. */
export interface SchemaSource {
  /** The writer schema of an id, or null when the registry does not know the id. */
  fetch(id: number): Promise<AvroType | null>;
  /** Registers (or finds) a schema under a subject; returns its id. */
  register(subject: string, schema: object): Promise<number>;
  /** Throws when the registry cannot be reached. */
  ping(): Promise<void>;
}

export interface RegistrySettings {
  readonly url: string;
  readonly username: string | null;
  readonly password: string | null;
  /**
   * How long a registry request may go without an answer before it is abandoned (its socket
   * closed); a registration is then asked again. Default 10 s.
   */
  readonly requestTimeoutMs?: number;
}

/** Attempts at registering a schema while other instances register the same new subject (see register). */
const REGISTER_ATTEMPTS = 5;

/**
 * The registry library sets no timeout, so a request the registry never answers would wait for
 * ever and keep the process alive; this bounds every request (an idle socket for `ms` is closed).
 */
function requestTimeout(ms: number): RegistryMiddleware {
  return () => ({ request: (req) => req.enhance({ timeout: ms }) });
}
type RegistryMiddleware = NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']>[number];

/** How the library reports a request that timed out (mappersmith's TimeoutError, as a client error). */
function timedOut(err: unknown): boolean {
  return /\bTimeout \(\d+ms\)/.test(String((err as { message?: unknown })?.message ?? err));
}

export function createRegistrySource(settings: RegistrySettings): SchemaSource {
  const auth = settings.username !== null ? { username: settings.username, password: settings.password ?? '' } : undefined;
  const registry = new SchemaRegistry({ host: settings.url, middlewares: [requestTimeout(settings.requestTimeoutMs ?? 10_000)], ...(auth ? { auth } : {}) });
  const base = settings.url.replace(/\/+$/, '');
  const headers: Record<string, string> = auth
    ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
    : {};
  return {
    async fetch(id) {
      try {
        const schema = await registry.getSchema(id);
        // Re-parsed with our avsc so the Type's behaviour does not depend on the library's copy.
        return avsc.Type.forSchema((schema as unknown as AvroType).schema() as avsc.Schema);
      } catch (err) {
        const status = (err as { status?: number }).status;
        if (status === 404) return null;
        throw new BrushwatchError('REGISTRY_UNREACHABLE', `schema registry ${base}: fetching schema id ${id} failed: ${String(err)}`, { cause: err });
      }
    },
    async register(subject, schema) {
      for (let attempt = 1; ; attempt++) {
        try {
          const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject });
          return id;
        } catch (err) {
          // The library registers a new subject, then sets its compatibility. Instances starting
          // together race in between: one sees the subject without it and is refused (the other
          // sets it a moment later), or both set it and the registry answers 409 to the second
          // (Apicurio: "A rule named 'COMPATIBILITY' already exists"). A retry finds it set.
          // Apicurio can also leave one of such racing requests unanswered (seen once in 60 under
          // CI load, the registry otherwise healthy): the library sets no timeout, so an attempt
          // gets a deadline and the next one asks again (registering is idempotent).
          const raced =
            (err as { name?: unknown }).name === 'ConfluentSchemaRegistryCompatibilityError' ||
            (err as { status?: unknown }).status === 409 ||
            timedOut(err);
          if (raced && attempt < REGISTER_ATTEMPTS) {
            await new Promise((r) => setTimeout(r, 100 * attempt));
            continue;
          }
          throw new BrushwatchError('REGISTRY_SCHEMA', `schema registry ${base}: registering ${subject} failed: ${String(err)}`, { cause: err });
        }
      }
    },
    async ping() {
      let res: Response;
      try {
        res = await fetch(`${base}/subjects`, { headers, signal: AbortSignal.timeout(5_000) });
      } catch (cause) {
        throw new BrushwatchError('REGISTRY_UNREACHABLE', `schema registry ${base} is unreachable: ${String(cause)}`, { cause });
      }
      await res.body?.cancel();
      if (!res.ok) throw new BrushwatchError('REGISTRY_UNREACHABLE', `schema registry ${base}/subjects answered ${res.status}`);
    },
  };
}

/** A SchemaSource that remembers whether its last call reached the registry. */
export interface WatchedSchemaSource extends SchemaSource {
  /** Null while the last call reached the registry; else why not (also before any call). */
  problem(): string | null;
}

/**
 * Health from the calls the service makes anyway, so a registry outage that nothing needs (every
 * schema cached) does not make the instance unready, and the first call that gets through ends it.
 */
export function watchSchemaSource(source: SchemaSource): WatchedSchemaSource {
  let problem: string | null = 'not reached yet';
  async function watched<T>(call: Promise<T>): Promise<T> {
    try {
      const result = await call;
      problem = null;
      return result;
    } catch (err) {
      if (err instanceof BrushwatchError && err.code === 'BRUSH_REGISTRY_UNREACHABLE') problem = err.message;
      throw err;
    }
  }
  return {
    fetch: (id) => watched(source.fetch(id)),
    register: (subject, schema) => watched(source.register(subject, schema)),
    ping: () => watched(source.ping()),
    problem: () => problem,
  };
}

/** avsc Types by schema id, filled ahead of decoding. */
export class SchemaCache {
  private readonly types = new Map<number, AvroType>();
  private readonly unknown = new Map<number, number>();

  constructor(
    private readonly source: SchemaSource,
    private readonly now: () => number = Date.now,
  ) {}

  get(id: number): AvroType | undefined {
    return this.types.get(id);
  }

  put(id: number, type: AvroType): void {
    if (this.types.size >= MAX_CACHED_SCHEMAS) this.types.delete(this.types.keys().next().value as number);
    this.types.set(id, type);
  }

  /** Fetches every schema id of these framed values that is neither cached nor known unknown. */
  async prefetch(values: Iterable<Buffer | null>): Promise<void> {
    let wanted: Set<number> | undefined;
    const now = this.now();
    for (const v of values) {
      if (v === null || v.length < HEADER_BYTES || v[0] !== MAGIC_BYTE) continue;
      const id = v.readInt32BE(1);
      if (this.types.has(id)) continue;
      const retryAt = this.unknown.get(id);
      if (retryAt !== undefined && retryAt > now) continue;
      (wanted ??= new Set()).add(id);
    }
    if (wanted === undefined) return;
    await Promise.all(
      [...wanted].map(async (id) => {
        const type = await this.source.fetch(id);
        if (type !== null) {
          this.unknown.delete(id);
          this.put(id, type);
        } else {
          if (this.unknown.size >= MAX_UNKNOWN_IDS) this.unknown.clear();
          this.unknown.set(id, now + UNKNOWN_ID_RETRY_MS);
        }
      }),
    );
  }
}

/** Decodes the values of one input topic into raw records for the engine's validation. */
export interface EventDecoder {
  readonly codec: CodecName;
  /** Resolves what `decode` will need for these values (Avro schema ids); no-op for JSON. */
  prefetch(values: Iterable<Buffer | null>): Promise<void>;
  /** The raw record with `kind` set, or DECODE_FAILED with `failure` filled in. */
  decode(value: Buffer | null): unknown;
  readonly failure: DecodeFailure;
}

const NOOP_PREFETCH = async (): Promise<void> => {};

export function createEventDecoder(kind: EventKind, codec: CodecName, schemas: SchemaCache | null): EventDecoder {
  // One failure object per decoder, overwritten: no allocation per bad record.
  const failure: DecodeFailure = { reason: DEAD_LETTER_REASONS.BAD_ENCODING, detail: '' };
  const fail = (reason: DeadLetterReason, detail: string): typeof DECODE_FAILED => {
    failure.reason = reason;
    failure.detail = detail;
    return DECODE_FAILED;
  };
  if (codec === 'json') {
    return {
      codec,
      failure,
      prefetch: NOOP_PREFETCH,
      decode(value) {
        if (value === null || value.length === 0) return fail(DEAD_LETTER_REASONS.EMPTY_VALUE, 'record has no value (tombstone?)');
        let parsed: unknown;
        try {
          parsed = JSON.parse(value.toString('utf8'));
        } catch (err) {
          return fail(DEAD_LETTER_REASONS.BAD_JSON, `value is not JSON: ${(err as Error).message}`);
        }
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && (parsed as { kind?: unknown }).kind === undefined) {
          (parsed as { kind: EventKind }).kind = kind;
        }
        return parsed;
      },
    };
  }
  if (schemas === null) throw new BrushwatchError('INTERNAL', `the ${kind} decoder is avro but no schema registry is configured`);
  return {
    codec,
    failure,
    prefetch: (values) => schemas.prefetch(values),
    decode(value) {
      if (value === null || value.length === 0) return fail(DEAD_LETTER_REASONS.EMPTY_VALUE, 'record has no value (tombstone?)');
      if (value[0] !== MAGIC_BYTE) return fail(DEAD_LETTER_REASONS.WRONG_MAGIC_BYTE, `first byte is ${value[0]}, not the Confluent magic byte 0`);
      if (value.length < HEADER_BYTES) return fail(DEAD_LETTER_REASONS.BAD_ENCODING, `${value.length} bytes is shorter than the 5-byte Confluent header`);
      const id = value.readInt32BE(1);
      const type = schemas.get(id);
      if (type === undefined) return fail(DEAD_LETTER_REASONS.UNKNOWN_SCHEMA_ID, `schema id ${id} is not in the registry`);
      let decoded: { value: unknown; offset: number };
      try {
        decoded = type.decode(value, HEADER_BYTES);
      } catch (err) {
        return fail(DEAD_LETTER_REASONS.BAD_ENCODING, `Avro body does not match schema id ${id}: ${(err as Error).message}`);
      }
      if (decoded.offset !== value.length) {
        return fail(DEAD_LETTER_REASONS.BAD_ENCODING, decoded.offset < 0 ? `Avro body is truncated for schema id ${id}` : `${value.length - decoded.offset} trailing bytes after the Avro body of schema id ${id}`);
      }
      const record = decoded.value;
      if (typeof record !== 'object' || record === null) return fail(DEAD_LETTER_REASONS.NOT_AN_OBJECT, `schema id ${id} is not a record schema`);
      (record as { kind: EventKind }).kind = kind;
      return record;
    },
  };
}

const SCHEMA_DIR = new URL('../../../schemas/', import.meta.url);

export function loadAvroSchema(name: 'order' | 'review' | 'alert'): object {
  return JSON.parse(readFileSync(new URL(`${name}.avsc`, SCHEMA_DIR), 'utf8')) as object;
}

function frame(id: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  out[0] = MAGIC_BYTE;
  out.writeInt32BE(id, 1);
  body.copy(out, HEADER_BYTES);
  return out;
}

/** Encodes values of one output topic. */
export interface ValueEncoder<T> {
  readonly codec: CodecName;
  /** Schema id registered for the topic (Avro), null for JSON. */
  readonly schemaId: number | null;
  encode(value: T): Buffer;
}

async function createEncoder<T>(schemaName: 'order' | 'review' | 'alert', codec: CodecName, topic: string, source: SchemaSource | null, prepare: (v: T) => unknown): Promise<ValueEncoder<T>> {
  if (codec === 'json') return { codec, schemaId: null, encode: (v) => Buffer.from(JSON.stringify(v)) };
  if (source === null) throw new BrushwatchError('INTERNAL', `the ${topic} encoder is avro but no schema registry is configured`);
  const schema = loadAvroSchema(schemaName);
  const type = avsc.Type.forSchema(schema as avsc.Schema);
  // Subject naming: Confluent's TopicNameStrategy, `<topic>-value`.
  const schemaId = await source.register(`${topic}-value`, schema);
  return { codec, schemaId, encode: (v) => frame(schemaId, type.toBuffer(prepare(v))) };
}

/** Alerts for `<topic>`: Avro with schemas/alert.avsc registered under `<topic>-value`, or JSON. */
export function createAlertEncoder(codec: CodecName, topic: string, source: SchemaSource | null): Promise<ValueEncoder<Alert>> {
  return createEncoder<Alert>('alert', codec, topic, source, (a) => a);
}

/** Input events (simulate --to-kafka, tests): the contract's fields, without `kind`. */
export function createEventEncoder(kind: EventKind, codec: CodecName, topic: string, source: SchemaSource | null): Promise<ValueEncoder<MarketEvent>> {
  return createEncoder<MarketEvent>(kind, codec, topic, source, (e) => e);
}

const EVIDENCE_KEYS = ['buyerIds', 'deviceIds', 'ipPrefixes', 'addressHashes', 'paymentHashes', 'orderIds', 'reviewIds', 'ringSellerIds'] as const;

/**
 * Decodes an alert value (Avro framed or JSON) back into the plain Alert the engine produced:
 * a signal's absent evidence lists come back absent, not null. For readers and tests, not the
 * hot path.
 */
export async function decodeAlert(value: Buffer, schemas: SchemaCache | null): Promise<Alert> {
  if (value[0] !== MAGIC_BYTE) return JSON.parse(value.toString('utf8')) as Alert;
  if (schemas === null) throw new BrushwatchError('INTERNAL', 'an Avro alert needs a schema registry to decode');
  await schemas.prefetch([value]);
  const id = value.readInt32BE(1);
  const type = schemas.get(id);
  if (type === undefined) throw new BrushwatchError('REGISTRY_SCHEMA', `alert schema id ${id} is unknown to the registry`);
  const plain = JSON.parse(JSON.stringify(type.fromBuffer(value.subarray(HEADER_BYTES)))) as {
    signals: { evidence: Record<string, unknown>; baseline: number | null }[];
  };
  for (const s of plain.signals) {
    for (const k of EVIDENCE_KEYS) if (s.evidence[k] === null) delete s.evidence[k];
  }
  return plain as unknown as Alert;
}
