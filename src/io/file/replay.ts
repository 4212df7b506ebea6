/**
 * Replays an NDJSON event file through one engine and writes its alerts as NDJSON. Used by the
 * `replay` command, the tests and the bench. Bad lines are counted, sampled and optionally
 * written to a rejects file; they never stop the replay.
 */
import { Engine } from '../../engine/engine.js';
import type { EngineOptions, EngineStats, IngestResult } from '../../engine/engine.js';
import type { EngineConfig } from '../../engine/config.js';
import type { InvalidReason } from '../../engine/types.js';
import { fileSize, readNdjson } from './ndjson-reader.js';
import type { BadLine } from './ndjson-reader.js';
import { NdjsonWriter } from './ndjson-writer.js';

/** How many line numbers are kept per invalid reason for the summary. */
export const SAMPLE_LINES = 5;

export interface ReplayProgress {
  readonly bytesRead: number;
  readonly totalBytes: number;
  readonly lines: number;
}

export interface ReplayOptions {
  readonly input: string;
  readonly output: string;
  readonly rejects?: string;
  readonly config: EngineConfig;
  readonly engine?: EngineOptions;
  /** Called after each chunk (a few MiB); the caller throttles its own output. */
  readonly onProgress?: (p: ReplayProgress) => void;
}

export interface ReplaySummary {
  /** Records read (lines holding JSON, good or bad) plus lines that were not JSON. */
  readonly lines: number;
  readonly stats: EngineStats;
  /** Invalid lines by reason, counting BAD_JSON from the reader and the engine's reasons. */
  readonly invalid: Readonly<Partial<Record<InvalidReason, { count: number; firstLines: number[] }>>>;
  readonly alertsWritten: number;
}

export async function replayFile(opts: ReplayOptions): Promise<ReplaySummary> {
  const totalBytes = await fileSize(opts.input);
  const engine = new Engine(opts.config, opts.engine);
  const out = await NdjsonWriter.open(opts.output);
  const rejects = opts.rejects === undefined ? null : await NdjsonWriter.open(opts.rejects);
  const invalid: Partial<Record<InvalidReason, { count: number; firstLines: number[] }>> = {};
  let lines = 0;
  const note = (bad: BadLine, sink: BadLine[]) => {
    const entry = (invalid[bad.reason] ??= { count: 0, firstLines: [] });
    entry.count++;
    if (entry.firstLines.length < SAMPLE_LINES) entry.firstLines.push(bad.line);
    if (rejects !== null) sink.push(bad);
  };
  try {
    for await (const batch of readNdjson(opts.input, { events: true })) {
      const rejected: BadLine[] = [];
      for (const bad of batch.bad) note(bad, rejected);
      const { values, lines: lineNos, generic } = batch;
      lines += values.length + batch.bad.length;
      let g = 0;
      for (let i = 0; i < values.length; i++) {
        // The event parser's own records are handed over (validated in place, not copied).
        let r: IngestResult;
        if (g < generic.length && generic[g] === i) {
          g++;
          r = engine.ingest(values[i]);
        } else r = engine.ingestOwned(values[i] as Record<string, unknown>);
        if (r.outcome === 'invalid') note({ line: lineNos[i]!, reason: r.reason!, detail: r.detail! }, rejected);
      }
      if (rejects !== null && rejected.length > 0) await rejects.write(rejected.sort((a, b) => a.line - b.line));
      await out.write(engine.drainAlerts());
      opts.onProgress?.({ bytesRead: batch.bytesRead, totalBytes, lines });
    }
    engine.finish();
    await out.write(engine.drainAlerts());
  } finally {
    await out.close();
    await rejects?.close();
  }
  return { lines, stats: engine.stats(), invalid, alertsWritten: out.count };
}
