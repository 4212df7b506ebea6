/**
 * Service configuration for `brushwatch run` and the Kafka tools: one zod schema fed from CLI
 * flags, `BRUSHWATCH_…` environment variables and an optional JSON file, merged in that order of
 * precedence over the schema's defaults. Every problem is reported at once, and each message names
 * the value, the rule it broke and how to fix it. The result is deeply frozen.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseEngineConfig } from './engine/index.js';
import type { EngineConfig } from './engine/index.js';
import { BrushwatchError } from './errors.js';

const CODECS = ['avro', 'json'] as const;
const SASL_MECHANISMS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const;
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/**
 * What a `run` instance detects (docs/scale-out.md): `all` everything, for one instance per
 * group; `sellers` the per-seller signals, one task per input partition, for N instances in one
 * group; `rings` the ring detector only, one instance in its own group over all partitions.
 */
export const ROLES = ['all', 'sellers', 'rings'] as const;
export type ServiceRole = (typeof ROLES)[number];

const topicName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be 1..249 characters of A-Z a-z 0-9 . _ -');
const ms = z.number().int().nonnegative();

export const serviceConfigSchema = z
  .object({
    kafka: z
      .object({
        /** host:port list; 127.0.0.1 rather than localhost because Node may try ::1 first. */
        brokers: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port')).min(1).default(['127.0.0.1:9092']),
        clientId: z.string().min(1).default('brushwatch'),
        connectionTimeoutMs: ms.default(10_000),
        requestTimeoutMs: ms.default(30_000),
        sessionTimeoutMs: z.number().int().min(6_000).max(1_800_000).default(30_000),
        ssl: z
          .object({
            enabled: z.boolean().default(false),
            /** Paths of PEM files; null means the system trust store / no client certificate. */
            caFile: z.string().nullable().default(null),
            certFile: z.string().nullable().default(null),
            keyFile: z.string().nullable().default(null),
            rejectUnauthorized: z.boolean().default(true),
          })
          .prefault({}),
        sasl: z
          .object({
            mechanism: z.enum(SASL_MECHANISMS).default('none'),
            username: z.string().nullable().default(null),
            password: z.string().nullable().default(null),
          })
          .prefault({}),
      })
      .prefault({}),
    registry: z
      .object({
        /** Confluent-compatible API base, e.g. http://127.0.0.1:8081/apis/ccompat/v7 for Apicurio. */
        url: z.url().nullable().default(null),
        username: z.string().nullable().default(null),
        password: z.string().nullable().default(null),
      })
      .prefault({}),
    topics: z
      .object({
        orders: topicName.default('orders'),
        reviews: topicName.default('reviews'),
        alerts: topicName.default('brushing-alerts'),
        deadLetters: topicName.default('brushwatch-dead-letters'),
        /** Compacted topic holding the engine snapshot saved on graceful shutdown. */
        state: topicName.default('brushwatch-state'),
        /** Create missing topics at start-up with the partitions and replication below. */
        create: z.boolean().default(false),
        partitions: z.number().int().min(1).max(10_000).default(6),
        replicationFactor: z.number().int().min(1).max(10).default(1),
      })
      .prefault({}),
    codecs: z
      .object({
        orders: z.enum(CODECS).default('avro'),
        reviews: z.enum(CODECS).default('avro'),
        alerts: z.enum(CODECS).default('avro'),
      })
      .prefault({}),
    input: z
      .object({
        /**
         * false: the input topics are keyed by something else (orderId, no key); `run` first
         * re-keys them by sellerId through <groupId>-orders-by-seller / -reviews-by-seller.
         */
        keyedBySeller: z.boolean().default(true),
      })
      .prefault({}),
    repartition: z
      .object({
        /** Fetch size of the repartition stage per raw partition: smaller keeps them in step. */
        maxBytesPerPartition: z.number().int().min(1_024).default(65_536),
        /**
         * A raw partition more than this ahead (event time) of the slowest one waits: the skew
         * the stage adds to the service's disorder (keep it well under engine.allowedDisorderMs).
         */
        maxSkewMs: ms.default(300_000),
      })
      .prefault({}),
    groupId: z.string().min(1).default('brushwatch'),
    role: z.enum(ROLES).default('all'),
    /** A partition without data for this long (wall time) stops holding the watermark back. */
    idlePartitionMs: ms.default(30_000),
    checkpoint: z
      .object({
        /**
         * at-least-once: produce outputs, then commit offsets. transactional: outputs and offsets
         * in one Kafka transaction (read_committed readers see each checkpoint whole or not at all).
         */
        mode: z.enum(['at-least-once', 'transactional']).default('at-least-once'),
        /** Commit alerts + offsets at least this often while data flows … */
        intervalMs: ms.default(1_000),
        /** … or after this many input records, whichever comes first. */
        maxEvents: z.number().int().min(1).default(10_000),
      })
      .prefault({}),
    shutdownTimeoutMs: z.number().int().min(100).default(15_000),
    http: z
      .object({
        host: z.string().min(1).default('0.0.0.0'),
        /** 0 picks a free port (tests). */
        port: z.number().int().min(0).max(65_535).default(9464),
      })
      .prefault({}),
    logLevel: z.enum(LOG_LEVELS).default('info'),
    /** The engine's own config, validated by the engine (parseEngineConfig); {} means its defaults. */
    engine: z.record(z.string(), z.unknown()).default({}),
  });

/** The validated config; `engine` is the engine's own parsed config (parseEngineConfig). */
export type ServiceConfig = Omit<z.output<typeof serviceConfigSchema>, 'engine'> & { readonly engine: EngineConfig };

const SETTING_TYPES = ['string', 'list', 'int', 'bool'] as const;
type SettingType = (typeof SETTING_TYPES)[number];

/** One setting reachable from the environment and the command line. */
export interface Setting {
  readonly path: readonly string[];
  readonly env: string;
  readonly flag: string;
  readonly type: SettingType;
  readonly help: string;
  readonly secret?: boolean;
}

function s(path: string, type: SettingType, flag: string, help: string, secret = false): Setting {
  const parts = path.split('.');
  const env = `BRUSHWATCH_${parts.map((p) => p.replace(/[A-Z]/g, (m) => `_${m}`)).join('_').toUpperCase()}`;
  return { path: parts, env, flag, type, help, secret };
}

/** Every setting with its env var and flag; `run` and `replay --kafka` register flags from it. */
export const SETTINGS: readonly Setting[] = [
  s('kafka.brokers', 'list', 'brokers', 'Kafka bootstrap brokers, comma-separated host:port'),
  s('kafka.clientId', 'string', 'client-id', 'Kafka client id'),
  s('kafka.connectionTimeoutMs', 'int', 'kafka-connection-timeout-ms', 'Kafka connection timeout (ms)'),
  s('kafka.requestTimeoutMs', 'int', 'kafka-request-timeout-ms', 'Kafka request timeout (ms)'),
  s('kafka.sessionTimeoutMs', 'int', 'kafka-session-timeout-ms', 'consumer group session timeout (ms)'),
  s('kafka.ssl.enabled', 'bool', 'kafka-ssl', 'connect to Kafka over TLS'),
  s('kafka.ssl.caFile', 'string', 'kafka-ssl-ca-file', 'PEM file of the CA to trust'),
  s('kafka.ssl.certFile', 'string', 'kafka-ssl-cert-file', 'PEM client certificate'),
  s('kafka.ssl.keyFile', 'string', 'kafka-ssl-key-file', 'PEM client key'),
  s('kafka.ssl.rejectUnauthorized', 'bool', 'kafka-ssl-reject-unauthorized', 'verify the broker certificate'),
  s('kafka.sasl.mechanism', 'string', 'kafka-sasl-mechanism', 'none | plain | scram-sha-256 | scram-sha-512'),
  s('kafka.sasl.username', 'string', 'kafka-sasl-username', 'SASL user name'),
  s('kafka.sasl.password', 'string', 'kafka-sasl-password', 'SASL password (prefer the env var)', true),
  s('registry.url', 'string', 'registry-url', 'Confluent-compatible schema registry URL'),
  s('registry.username', 'string', 'registry-username', 'schema registry basic-auth user'),
  s('registry.password', 'string', 'registry-password', 'schema registry basic-auth password', true),
  s('topics.orders', 'string', 'orders-topic', 'input topic of order events'),
  s('topics.reviews', 'string', 'reviews-topic', 'input topic of review events'),
  s('topics.alerts', 'string', 'alerts-topic', 'output topic of alerts'),
  s('topics.deadLetters', 'string', 'dead-letter-topic', 'topic of records that could not be processed'),
  s('topics.state', 'string', 'state-topic', 'compacted topic of the engine snapshot'),
  s('topics.create', 'bool', 'create-topics', 'create missing topics at start-up'),
  s('topics.partitions', 'int', 'topic-partitions', 'partitions of topics created at start-up'),
  s('topics.replicationFactor', 'int', 'topic-replication-factor', 'replication of topics created at start-up'),
  s('codecs.orders', 'string', 'orders-codec', 'avro | json'),
  s('codecs.reviews', 'string', 'reviews-codec', 'avro | json'),
  s('codecs.alerts', 'string', 'alerts-codec', 'avro | json'),
  s('input.keyedBySeller', 'bool', 'input-keyed-by-seller', 'false: re-key the input by sellerId through internal topics first'),
  s('repartition.maxBytesPerPartition', 'int', 'repartition-max-bytes-per-partition', 'fetch size per raw partition of the repartition stage'),
  s('repartition.maxSkewMs', 'int', 'repartition-max-skew-ms', 'event-time lead over the slowest raw partition after which a raw partition waits (ms)'),
  s('groupId', 'string', 'group-id', 'consumer group id'),
  s('role', 'string', 'role', 'all | sellers (N instances, transactional) | rings (one instance, own group and state topic)'),
  s('idlePartitionMs', 'int', 'idle-partition-ms', 'wall time after which an idle partition stops holding the watermark'),
  s('checkpoint.mode', 'string', 'checkpoint-mode', 'at-least-once | transactional'),
  s('checkpoint.intervalMs', 'int', 'checkpoint-interval-ms', 'commit alerts and offsets at least this often (ms)'),
  s('checkpoint.maxEvents', 'int', 'checkpoint-max-events', 'commit after this many records'),
  s('shutdownTimeoutMs', 'int', 'shutdown-timeout-ms', 'bound on a graceful shutdown (ms)'),
  s('http.host', 'string', 'http-host', 'address of the metrics/health server'),
  s('http.port', 'int', 'http-port', 'port of the metrics/health server (0 = any free port)'),
  s('logLevel', 'string', 'log-level', 'trace | debug | info | warn | error | fatal | silent'),
];

export const CONFIG_FILE_ENV = 'BRUSHWATCH_CONFIG';

export interface ConfigSources {
  /** Flag values keyed by the commander attribute name (camelCase of the flag). */
  readonly flags?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Path of a JSON config file; falls back to $BRUSHWATCH_CONFIG. */
  readonly file?: string | undefined;
}

type Tree = Record<string, unknown>;

function flagKey(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function setPath(tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as Tree;
    else node = node[part] = {};
  }
  node[path[path.length - 1] as string] = value;
}

function getPath(tree: unknown, path: readonly (string | number | symbol)[]): unknown {
  let node = tree;
  for (const part of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number | symbol, unknown>)[part];
  }
  return node;
}

function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const bothObjects = [b, v].every((x) => typeof x === 'object' && x !== null && !Array.isArray(x));
    out[k] = bothObjects ? merge(b as Tree, v as Tree) : v;
  }
  return out;
}

/** Converts one env/flag string; a wrong string stays a string so the schema reports it. */
function coerce(raw: unknown, type: SettingType): unknown {
  if (typeof raw !== 'string') return raw;
  switch (type) {
    case 'list':
      return raw.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
    case 'int':
      return /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    case 'bool':
      return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
    case 'string':
      return raw;
  }
}

function describe(value: unknown, secret: boolean): string {
  if (value === undefined) return 'nothing';
  if (secret) return '<redacted>';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Merges flags > env > file > defaults and validates. Throws BRUSH_CONFIG_INVALID listing every
 * problem, or BRUSH_CONFIG_FILE_UNREADABLE.
 */
export function loadServiceConfig(sources: ConfigSources = {}): Readonly<ServiceConfig> {
  const env = sources.env ?? {};
  const filePath = sources.file ?? env[CONFIG_FILE_ENV];
  let fromFile: Tree = {};
  if (filePath !== undefined && filePath !== '') {
    let text: string;
    try {
      text = readFileSync(filePath, 'utf8');
    } catch (cause) {
      throw new BrushwatchError('CONFIG_FILE_UNREADABLE', `config file ${filePath} cannot be read; check the path given by --config or ${CONFIG_FILE_ENV}`, { cause });
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('top level is not an object');
      fromFile = parsed as Tree;
    } catch (cause) {
      throw new BrushwatchError('CONFIG_INVALID', `config file ${filePath} is not a JSON object (${(cause as Error).message}); fix the JSON syntax`, { cause });
    }
  }

  const fromEnv: Tree = {};
  const fromFlags: Tree = {};
  const origin = new Map<string, string>();
  for (const setting of SETTINGS) {
    const key = setting.path.join('.');
    const e = env[setting.env];
    if (e !== undefined && e !== '') {
      setPath(fromEnv, setting.path, coerce(e, setting.type));
      origin.set(key, setting.env);
    }
    const f = sources.flags?.[flagKey(setting.flag)];
    if (f !== undefined) {
      setPath(fromFlags, setting.path, coerce(f, setting.type));
      origin.set(key, `--${setting.flag}`);
    }
  }
  const merged = merge(merge(fromFile, fromEnv), fromFlags);

  const problems: string[] = [];
  const result = serviceConfigSchema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.map(String).join('.');
      const setting = SETTINGS.find((x) => x.path.join('.') === key);
      const where = origin.get(key) ?? (filePath ? `config file ${filePath}` : 'the default');
      const fix = setting ? `set ${setting.env} or --${setting.flag}` : `fix "${key}" in the config file`;
      const value = describe(getPath(merged, issue.path), setting?.secret ?? false);
      problems.push(`  ${key || '(root)'} = ${value} (from ${where}): ${issue.message}; ${fix}`);
    }
  }
  problems.push(...crossChecks(merged));
  // The engine validates its own section; its problems join the list instead of hiding behind ours.
  let engine: EngineConfig | undefined;
  try {
    engine = parseEngineConfig(result.success ? result.data.engine : (merged['engine'] ?? {}));
  } catch (err) {
    if (!(err instanceof BrushwatchError)) throw err;
    for (const line of err.message.split('\n').slice(1)) problems.push(`  engine.${line.trim()} (fix it under "engine" in the config file)`);
  }
  if (!result.success || engine === undefined || problems.length > 0) {
    throw new BrushwatchError('CONFIG_INVALID', `invalid configuration (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n${problems.join('\n')}`);
  }
  return deepFreeze({ ...result.data, engine });
}

/**
 * Rules across settings, checked on the merged input (with the schema's defaults for what is
 * unset) so they are reported even when a single setting is invalid too.
 */
function crossChecks(merged: Tree): string[] {
  const out: string[] = [];
  const str = (path: string[], dflt: string | null): string | null => {
    const v = getPath(merged, path);
    return typeof v === 'string' ? v : v === undefined ? dflt : String(v);
  };
  const avro = (['orders', 'reviews', 'alerts'] as const).filter((t) => str(['codecs', t], 'avro') === 'avro');
  if (avro.length > 0 && str(['registry', 'url'], null) === null) {
    out.push(`  registry.url = nothing: required because codecs.${avro.join(', codecs.')} ${avro.length > 1 ? 'are' : 'is'} avro; set BRUSHWATCH_REGISTRY_URL or --registry-url, or choose json codecs`);
  }
  const mechanism = str(['kafka', 'sasl', 'mechanism'], 'none');
  if (mechanism !== 'none' && (str(['kafka', 'sasl', 'username'], null) === null || str(['kafka', 'sasl', 'password'], null) === null)) {
    out.push(`  kafka.sasl = mechanism ${mechanism} without username or password: it needs both; set BRUSHWATCH_KAFKA_SASL_USERNAME and BRUSHWATCH_KAFKA_SASL_PASSWORD`);
  }
  const defaults: Record<string, string> = { orders: 'orders', reviews: 'reviews', alerts: 'brushing-alerts', deadLetters: 'brushwatch-dead-letters', state: 'brushwatch-state' };
  const names = Object.entries(defaults).map(([k, d]) => str(['topics', k], d));
  if (new Set(names).size !== names.length) {
    out.push(`  topics = ${names.join(', ')}: orders, reviews, alerts, deadLetters and state must be five different topics; rename one`);
  }
  return out;
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Paths pino must never print (credentials can sit in the config it logs). */
export const REDACT_PATHS: readonly string[] = [
  'password',
  '*.password',
  'config.kafka.sasl.password',
  'config.registry.password',
  'kafka.sasl.password',
  'registry.password',
  'sasl.password',
  'sasl',
  '*.sasl',
];
