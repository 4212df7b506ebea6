/**
 * NDJSON writer for alerts (and rejected lines): one JSON object per line, written in batches and
 * respecting backpressure. Alerts are built with a fixed key order, so JSON.stringify of the same
 * alert is always the same bytes.
 */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { BrushwatchError } from '../../errors.js';

export class NdjsonWriter {
  private readonly stream: WriteStream;
  private failure: Error | null = null;
  private written = 0;

  private constructor(
    readonly path: string,
    stream: WriteStream,
  ) {
    this.stream = stream;
    stream.on('error', (err) => (this.failure = err));
  }

  /** Opens (truncating) the file; fails with BRUSH_OUTPUT_UNWRITABLE if it cannot. */
  static async open(path: string): Promise<NdjsonWriter> {
    const stream = createWriteStream(path, { flags: 'w' });
    try {
      await once(stream, 'open');
    } catch (err) {
      throw new BrushwatchError('OUTPUT_UNWRITABLE', `cannot write ${path}: ${(err as Error).message}`, { cause: err });
    }
    return new NdjsonWriter(path, stream);
  }

  /** Records written so far. */
  get count(): number {
    return this.written;
  }

  async write(records: readonly unknown[]): Promise<void> {
    if (records.length === 0) return;
    this.check();
    let text = '';
    for (const r of records) text += `${JSON.stringify(r)}\n`;
    this.written += records.length;
    if (!this.stream.write(text)) await Promise.race([once(this.stream, 'drain'), once(this.stream, 'error')]);
    this.check();
  }

  async close(): Promise<void> {
    this.check();
    await new Promise<void>((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve()))).catch(
      (err: unknown) => {
        throw new BrushwatchError('OUTPUT_UNWRITABLE', `cannot finish ${this.path}: ${(err as Error).message}`, { cause: err });
      },
    );
    this.check();
  }

  private check(): void {
    if (this.failure !== null)
      throw new BrushwatchError('OUTPUT_UNWRITABLE', `cannot write ${this.path}: ${this.failure.message}`, { cause: this.failure });
  }
}
