/**
 * Streaming NDJSON reader for replay files. Reads big chunks, decodes them once, splits on '\n'
 * and JSON.parses each line; it hands back one batch per chunk (no per-line promise), with the
 * 1-based line number of every record. A broken line becomes a BadLine and reading goes on.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { BrushwatchError } from '../../errors.js';
import { INVALID_REASONS } from '../../engine/types.js';
import type { InvalidReason } from '../../engine/types.js';

export interface BadLine {
  readonly line: number;
  readonly reason: InvalidReason;
  readonly detail: string;
}

export interface NdjsonBatch {
  /** Parsed records, and the line each came from (same index). */
  readonly values: unknown[];
  readonly lines: number[];
  readonly bad: BadLine[];
  /** Bytes of the file consumed so far (for progress). */
  readonly bytesRead: number;
}

export interface ReadOptions {
  /** Read size; default 4 MiB. */
  readonly chunkBytes?: number;
}

const DEFAULT_CHUNK = 4 * 1024 * 1024;
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

export async function* readNdjson(path: string, opts: ReadOptions = {}): AsyncGenerator<NdjsonBatch> {
  const stream = createReadStream(path, { highWaterMark: opts.chunkBytes ?? DEFAULT_CHUNK });
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lineNo = 0;
  let bytesRead = 0;
  // Invalid UTF-8 decodes to U+FFFD. A chunk whose text has U+FFFD but whose bytes do not hold an
  // encoded U+FFFD (EF BF BD) had invalid bytes: its lines with U+FFFD are BAD_ENCODING. Checked
  // per chunk with native searches, so clean input pays almost nothing.
  let badBytes = false;
  const parseInto = (text: string, out: { values: unknown[]; lines: number[]; bad: BadLine[] }, last: boolean) => {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1 && !last) {
        carry = text.slice(start);
        return;
      }
      const end = nl === -1 ? text.length : nl;
      lineNo++;
      if (end > start) {
        const line = text.slice(start, end);
        if (badBytes && line.includes('\uFFFD'))
          out.bad.push({ line: lineNo, reason: INVALID_REASONS.BAD_ENCODING, detail: 'line is not valid UTF-8' });
        else
          try {
            out.values.push(JSON.parse(line));
            out.lines.push(lineNo);
          } catch (err) {
            // Blank (or whitespace-only, e.g. a lone \r) lines are not records, so not errors.
            if (line.trim() !== '') out.bad.push(badJson(lineNo, line, err));
          }
      }
      if (nl === -1) {
        carry = '';
        return;
      }
      start = nl + 1;
    }
  };
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      bytesRead += buf.length;
      const decoded = decoder.write(buf);
      badBytes = decoded.includes('\uFFFD') && !buf.includes(ENCODED_REPLACEMENT);
      const text = carry + decoded;
      const batch = { values: [] as unknown[], lines: [] as number[], bad: [] as BadLine[], bytesRead };
      parseInto(text, batch, false);
      yield batch;
    }
  } catch (err) {
    throw new BrushwatchError('INPUT_UNREADABLE', `cannot read input ${path}: ${(err as Error).message}`, { cause: err });
  }
  const tail = decoder.end();
  badBytes = badBytes || tail.includes('\uFFFD');
  const rest = carry + tail;
  if (rest.length > 0) {
    const batch = { values: [] as unknown[], lines: [] as number[], bad: [] as BadLine[], bytesRead };
    parseInto(rest, batch, true);
    yield batch;
  }
}
