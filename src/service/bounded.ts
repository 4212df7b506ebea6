import { BrushwatchError } from '../errors.js';

/**
 * Races a shutdown against its time bound: rejects with BRUSH_SHUTDOWN_TIMEOUT (naming what took
 * too long and how to allow more) when `work` has not settled within `ms`, and never leaves the
 * timer behind to hold the process open.
 */
export function boundedStop(work: Promise<void>, ms: number, what: string): Promise<void> {
  let timeout: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timeout = setTimeout(
      () => reject(new BrushwatchError('SHUTDOWN_TIMEOUT', `${what} took longer than shutdownTimeoutMs ${ms}; raise BRUSHWATCH_SHUTDOWN_TIMEOUT_MS if it needs longer`)),
      ms,
    );
  });
  return Promise.race([work, bound]).finally(() => clearTimeout(timeout));
}
