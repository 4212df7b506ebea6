/**
 * Kafka transactions with kafkajs 2.2.4, made safe against its known quirks.
 *
 * A read-process-write step (outputs plus the consumer offsets that produced them, committed
 * atomically) is `begin → sendBatch → sendOffsets → commit`. kafkajs gets two things wrong:
 *
 * - `sendOffsets` does not retry `CONCURRENT_TRANSACTIONS` (kafkajs #430). Right after a commit
 *   the broker is still completing the previous transaction (writing its markers), and the
 *   AddOffsetsToTxn call of the next one is refused with that retriable error, which kafkajs
 *   passes straight up. The same holds for the coordinator errors of a freshly started broker
 *   (seen: "This is not the correct coordinator for this group" on the first transaction).
 *   `sendOffsetsWithRetry` retries them with a bounded backoff.
 * - A transaction's first `send` does retry that error (kafkajs retries AddPartitionsToTxn), so
 *   sending the outputs *before* the offsets avoids most of the above; `commitTransaction` always
 *   orders them that way.
 *
 * After a broker restart, the first transaction of a producer that stayed connected fails with
 * "Failed to find group coordinator" (kafkajs does not retry a coordinator lookup over a dead
 * connection); it comes out of `commitTransaction` as a retriable `BRUSH_KAFKA_TRANSACTION`, and
 * retrying the same write on the same producer (`transactionAttempts`) succeeded in
 * test/integration/broker-restart.test.ts.
 *
 * Offsets follow Kafka's convention: the offset to commit is the next one to read (last
 * processed + 1), as a string.
 *
 * The producer must be created with `transactionalId`, `idempotent: true` and
 * `maxInFlightRequests: 1`; consumers of the outputs must read with `readUncommitted: false`
 * (kafkajs's default) to see committed transactions only.
 */
import type { Producer, TopicMessages, TopicOffsets, Transaction } from 'kafkajs';
import { BrushwatchError } from '../../errors.js';

export interface TransactionOffsets {
  readonly consumerGroupId: string;
  readonly topics: TopicOffsets[];
}

export interface RetryOptions {
  /** Attempts in all, the first included. Default 10. */
  readonly maxAttempts?: number;
  /** Wait before the second attempt, doubled after each failure. Default 20 ms. */
  readonly initialBackoffMs?: number;
  /** Upper bound of one wait. Default 1000 ms. */
  readonly maxBackoffMs?: number;
  /** Told about each retried failure, e.g. to count them in a metric. */
  readonly onRetry?: (attempt: number, error: unknown) => void;
}

/** Errors that mean another producer with the same transactional id took over: never retry. */
const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']);

function errorType(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const type = (err as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

/**
 * Errors of AddOffsetsToTxn that go away by themselves: the previous transaction still
 * completing (51), and the transaction coordinator loading, unavailable or moved (14, 15, 16;
 * kafkajs's names from Kafka's old "group" wording).
 */
const TRANSIENT = new Set([
  'CONCURRENT_TRANSACTIONS',
  'GROUP_LOAD_IN_PROGRESS',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
]);

/** True for the broker's CONCURRENT_TRANSACTIONS error (code 51), as kafkajs reports it. */
export function isConcurrentTransactions(err: unknown): boolean {
  return errorType(err) === 'CONCURRENT_TRANSACTIONS';
}

/** True for an error `sendOffsetsWithRetry` retries (see TRANSIENT). */
export function isTransientTransactionError(err: unknown): boolean {
  const type = errorType(err);
  return type !== undefined && TRANSIENT.has(type);
}

/** True when this producer was fenced by a newer instance: it must stop, not retry. */
export function isFenced(err: unknown): boolean {
  const type = errorType(err);
  return type !== undefined && FENCED.has(type);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `transaction.sendOffsets`, retrying transient errors (CONCURRENT_TRANSACTIONS, coordinator
 * loading or moved) with exponential backoff; any other error, or the last attempt's, is thrown
 * as it came.
 */
export async function sendOffsetsWithRetry(
  transaction: Transaction,
  offsets: TransactionOffsets,
  options: RetryOptions = {},
): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 10;
  const maxBackoffMs = options.maxBackoffMs ?? 1000;
  let backoffMs = options.initialBackoffMs ?? 20;
  for (let attempt = 1; ; attempt++) {
    try {
      await transaction.sendOffsets({ consumerGroupId: offsets.consumerGroupId, topics: offsets.topics });
      return;
    } catch (err) {
      if (!isTransientTransactionError(err) || attempt >= maxAttempts) throw err;
      options.onRetry?.(attempt, err);
      await sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
    }
  }
}

export interface TransactionalWrite {
  /** Outputs, sent first (see the module doc). May be empty. */
  readonly messages: readonly TopicMessages[];
  /** Consumer offsets committed with the outputs; omitted for a produce-only transaction. */
  readonly offsets?: TransactionOffsets;
}

export interface TransactionOptions extends RetryOptions {
  /**
   * Attempts at the whole transaction, the first included. Default 1 (no retry). A retriable
   * failure (not a fencing) aborts and sends the same write again in a new transaction; this is
   * exactly-once only while the caller still owns the input partitions of `offsets` (retry
   * across a rebalance and a zombie may commit: kafkajs's TxnOffsetCommit v1 carries no
   * generation).
   */
  readonly transactionAttempts?: number;
  /** Told about each retried transaction. */
  readonly onTransactionRetry?: (attempt: number, error: BrushwatchError) => void;
}

/**
 * One transaction: send the messages, add the offsets, commit. On failure the transaction is
 * aborted (nothing of it becomes visible to read_committed readers), retried if
 * `transactionAttempts` allows, and finally a `BRUSH_KAFKA_TRANSACTION` error is thrown,
 * retriable unless the producer was fenced.
 */
export async function commitTransaction(
  producer: Producer,
  write: TransactionalWrite,
  options: TransactionOptions = {},
): Promise<void> {
  const attempts = options.transactionAttempts ?? 1;
  const maxBackoffMs = options.maxBackoffMs ?? 1000;
  let backoffMs = Math.max(options.initialBackoffMs ?? 20, 100);
  for (let attempt = 1; ; attempt++) {
    try {
      await commitOnce(producer, write, options);
      return;
    } catch (err) {
      if (!(err instanceof BrushwatchError) || !err.retriable || attempt >= attempts) throw err;
      options.onTransactionRetry?.(attempt, err);
      await sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
    }
  }
}

async function commitOnce(producer: Producer, write: TransactionalWrite, options: RetryOptions): Promise<void> {
  const transaction = await producer.transaction();
  try {
    if (write.messages.length > 0) await transaction.sendBatch({ topicMessages: [...write.messages] });
    if (write.offsets !== undefined && write.offsets.topics.length > 0) {
      await sendOffsetsWithRetry(transaction, write.offsets, options);
    }
    await transaction.commit();
  } catch (err) {
    if (transaction.isActive()) {
      // The original error is the one worth reporting; a failed abort is left to the
      // transaction timeout on the broker, which aborts it anyway.
      await transaction.abort().catch(() => undefined);
    }
    throw new BrushwatchError('KAFKA_TRANSACTION', `Kafka transaction failed and was aborted: ${(err as Error).message}`, {
      cause: err,
      retriable: !isFenced(err),
    });
  }
}
