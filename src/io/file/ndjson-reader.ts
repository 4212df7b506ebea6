/**
 * Streaming NDJSON reader for replay files. Reads big chunks, splits them on '\n' and parses each
 * line (event lines through a fast path when asked, see event-line.ts; else JSON.parse); it hands
 * back one batch per chunk (no per-line promise), with the 1-based line number of every record.
 * A broken line becomes a BadLine and reading goes on.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { BrushwatchError } from '../../errors.js';
import { INVALID_REASONS } from '../../engine/types.js';
import type { InvalidReason } from '../../engine/types.js';
import { parseEventLine } from './event-line.js';

export interface BadLine {
  readonly line: number;
  readonly reason: InvalidReason;
  readonly detail: string;
}

export interface NdjsonBatch {
  /** Parsed records, and the line each came from (same index). */
  readonly values: unknown[];
  readonly lines: number[];
  /**
   * With `events`: the indices in `values` (ascending) of the records JSON.parse built, of any
   * shape. The others are the event parser's fixed-shape records (see event-line.ts), which
   * nothing else holds: replay hands those over to the engine (Engine.ingestOwned).
   */
  readonly generic: number[];
  readonly bad: BadLine[];
  /** Bytes of the file consumed so far (for progress). */
  readonly bytesRead: number;
}

export interface ReadOptions {
  /** Read size; default 1 MiB. */
  readonly chunkBytes?: number;
  /**
   * The lines are contract events (replay input): simple lines are parsed straight into the
   * fields validation reads (see event-line.ts), others through JSON.parse. Records then hold
   * the contract's fields only, which is all the engine looks at.
   */
  readonly events?: boolean;
}

const DEFAULT_CHUNK = 1024 * 1024;
const NEWLINE = 0x0a;
const ENCODED_REPLACEMENT = Buffer.from([0xef, 0xbf, 0xbd]);

export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    throw new BrushwatchError('INPUT_UNREADABLE', `cannot read input ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function badJson(line: number, text: string, err: unknown): BadLine {
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return { line, reason: INVALID_REASONS.BAD_JSON, detail: `not valid JSON (${(err as Error).message}): ${shown}` };
}

interface Batch {
  values: unknown[];
  lines: number[];
  generic: number[];
  bad: BadLine[];
  bytesRead: number;
}

/**
 * Lines are cut on the raw bytes ('\n' never occurs inside a UTF-8 sequence), so nothing is
 * decoded twice and a line split across reads is only copied once.
 */
export async function* readNdjson(path: string, opts: ReadOptions = {}): AsyncGenerator<NdjsonBatch> {
  const stream = createReadStream(path, { highWaterMark: opts.chunkBytes ?? DEFAULT_CHUNK });
  const events = opts.events === true;
  let carry: Buffer | null = null;
  let lineNo = 0;
  let bytesRead = 0;
  const line = (buf: Buffer, start: number, end: number, out: Batch): void => {
    lineNo++;
    if (end <= start) return;
    if (events) {
      const rec = parseEventLine(buf, start, end);
      if (rec !== undefined) {
        out.values.push(rec);
        out.lines.push(lineNo);
        return;
      }
    }
    const text = buf.toString('utf8', start, end);
    // Invalid UTF-8 decodes to U+FFFD; a line whose bytes hold no encoded U+FFFD had invalid bytes.
    if (text.includes('\uFFFD') && !buf.subarray(start, end).includes(ENCODED_REPLACEMENT)) {
      out.bad.push({ line: lineNo, reason: INVALID_REASONS.BAD_ENCODING, detail: 'line is not valid UTF-8' });
      return;
    }
    try {
      const rec: unknown = JSON.parse(text);
      if (events) out.generic.push(out.values.length);
      out.values.push(rec);
      out.lines.push(lineNo);
    } catch (err) {
      // Blank (or whitespace-only, e.g. a lone \r) lines are not records, so not errors.
      if (text.trim() !== '') out.bad.push(badJson(lineNo, text, err));
    }
  };
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      bytesRead += buf.length;
      const batch: Batch = { values: [], lines: [], generic: [], bad: [], bytesRead };
      let pos = 0;
      if (carry !== null) {
        const nl = buf.indexOf(NEWLINE);
        if (nl === -1) {
          carry = Buffer.concat([carry, buf]);
          continue;
        }
        const joined = Buffer.concat([carry, buf.subarray(0, nl)]);
        carry = null;
        line(joined, 0, joined.length, batch);
        pos = nl + 1;
      }
      for (;;) {
        const nl = buf.indexOf(NEWLINE, pos);
        if (nl === -1) break;
        line(buf, pos, nl, batch);
        pos = nl + 1;
      }
      if (pos < buf.length) carry = Buffer.from(buf.subarray(pos));
      yield batch;
    }
  } catch (err) {
    throw new BrushwatchError('INPUT_UNREADABLE', `cannot read input ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (carry !== null) {
    const batch: Batch = { values: [], lines: [], generic: [], bad: [], bytesRead };
    line(carry, 0, carry.length, batch);
    yield batch;
  }
}
