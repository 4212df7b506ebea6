/**
 * The one catalogue of coded errors. Every error the service raises on purpose has a stable
 * `BRUSH_…` code, says whether retrying can help, and keeps the underlying `cause`.
 */
export const ErrorCodes = {
  CONFIG_INVALID: { code: 'BRUSH_CONFIG_INVALID', retriable: false },
  CONFIG_FILE_UNREADABLE: { code: 'BRUSH_CONFIG_FILE_UNREADABLE', retriable: false },
  INPUT_UNREADABLE: { code: 'BRUSH_INPUT_UNREADABLE', retriable: false },
  OUTPUT_UNWRITABLE: { code: 'BRUSH_OUTPUT_UNWRITABLE', retriable: false },
  STATE_CORRUPT: { code: 'BRUSH_STATE_CORRUPT', retriable: false },
  KAFKA_CONNECT: { code: 'BRUSH_KAFKA_CONNECT', retriable: true },
  KAFKA_AUTH: { code: 'BRUSH_KAFKA_AUTH', retriable: false },
  KAFKA_TLS: { code: 'BRUSH_KAFKA_TLS', retriable: false },
  KAFKA_PRODUCE: { code: 'BRUSH_KAFKA_PRODUCE', retriable: true },
  KAFKA_TRANSACTION: { code: 'BRUSH_KAFKA_TRANSACTION', retriable: true },
  KAFKA_TOPIC_MISSING: { code: 'BRUSH_KAFKA_TOPIC_MISSING', retriable: false },
  REGISTRY_UNREACHABLE: { code: 'BRUSH_REGISTRY_UNREACHABLE', retriable: true },
  REGISTRY_SCHEMA: { code: 'BRUSH_REGISTRY_SCHEMA', retriable: false },
  SHUTDOWN_TIMEOUT: { code: 'BRUSH_SHUTDOWN_TIMEOUT', retriable: false },
  USAGE: { code: 'BRUSH_USAGE', retriable: false },
  INTERNAL: { code: 'BRUSH_INTERNAL', retriable: false },
} as const;

export type ErrorKind = keyof typeof ErrorCodes;
export type ErrorCode = (typeof ErrorCodes)[ErrorKind]['code'];

export class BrushwatchError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown; retriable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    const entry = ErrorCodes[kind];
    this.name = 'BrushwatchError';
    this.code = entry.code;
    this.retriable = options?.retriable ?? entry.retriable;
  }
}

export function isRetriable(err: unknown): boolean {
  return err instanceof BrushwatchError ? err.retriable : false;
}
