/**
 * The engine config for partitioned input (`run`, `replay --kafka`). The engine's far-future check
 * compares an event with the latest event time it has seen, which across partitions read side by
 * side depends on which partition's batch came first: a topic whose data starts later (reviews
 * follow orders by days) would have its first events rejected on a cold start. The adapters judge
 * the future against the wall clock instead (`futureHorizon`) and turn the engine's check off.
 */
import type { EngineConfig } from '../../engine/index.js';

export function partitionedEngineConfig(config: EngineConfig): EngineConfig {
  return { ...config, futureToleranceMs: Number.MAX_SAFE_INTEGER };
}

/** Event times above this (wall clock + the engine's futureToleranceMs) are FUTURE_TIME. */
export function futureHorizon(config: EngineConfig, now: number): number {
  return now + config.futureToleranceMs;
}
