/**
 * The crash-test harness (helpers/process.ts) on the real service: `brushwatch run` as an OS
 * process becomes ready, dies on SIGKILL, comes back with the same settings, and shuts down
 * cleanly on SIGTERM.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceProcess, freePort, stopAllServices } from './helpers/process.js';
import { configEnv, testConfig } from './service-support.js';

describe('brushwatch run as a real process', () => {
  after(() => stopAllServices());

  it('gets ready, survives SIGKILL by a restart, and exits 0 on SIGTERM', async () => {
    const httpPort = await freePort();
    const env = configEnv(testConfig());
    const first = ServiceProcess.start({ env, httpPort });
    await first.ready();
    assert.ok(first.pid !== undefined && first.isRunning());

    assert.deepEqual(await first.kill(), { code: null, signal: 'SIGKILL' });
    assert.equal(first.isRunning(), false);

    const second = first.restart();
    assert.notEqual(second.pid, first.pid);
    await second.ready();
    const exit = await second.terminate();
    assert.deepEqual(exit, { code: 0, signal: null }, second.output().slice(-2000));
  });
});
