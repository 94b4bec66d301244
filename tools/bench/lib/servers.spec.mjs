import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  BASELINE_MAIN,
  busiestOtherThreadMs,
  cpuMsOf,
  startSide,
  threadCpuMsOf,
} from './servers.mjs';

// A process whose main thread and one worker thread each do a fixed amount of work (a fixed
// amount, not a time, so that a busy machine cannot shrink it), says so, then waits to be read.
// The worker stays alive after its work: the CPU of a thread that has ended is not read.
const BUSY_PROCESS = `
const { Worker } = require('node:worker_threads');
const burn = 'let x = 0; for (let i = 0; i < 2e8; i++) x = (x + i) % 1e9;';
const worker = new Worker(
  burn + "require('node:worker_threads').parentPort.postMessage(0); setInterval(() => {}, 1000);",
  { eval: true },
);
eval(burn);
worker.once('message', () => { process.stdout.write('busy\\n'); setInterval(() => {}, 1000); });
`;

describe('the CPU readings of a server process', () => {
  it('splits the CPU of a process between its main thread and its other threads', async () => {
    const child = spawn(process.execPath, ['-e', BUSY_PROCESS], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await once(child.stdout, 'data');
      const threads = threadCpuMsOf(child.pid);
      expect(threads.main).toBeGreaterThanOrEqual(50);
      expect(threads.other).toBeGreaterThanOrEqual(50);
      // Together about what the process as a whole reads, in 10 ms ticks.
      expect(threads.main + threads.other).toBeGreaterThan(0.8 * cpuMsOf(child.pid));
      // The worker is the busiest of the other threads: most of their CPU is its.
      const none = { byThread: {} };
      const busiest = busiestOtherThreadMs(none, threads, child.pid);
      expect(busiest).toBeGreaterThanOrEqual(50);
      expect(busiest).toBeLessThanOrEqual(threads.other);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('counts only what each other thread used between two readings, leaving the main thread out', () => {
    const before = { byThread: { 1: 500, 2: 100, 3: 40 } };
    const after = { byThread: { 1: 900, 2: 130, 3: 90, 4: 20 } };
    expect(busiestOtherThreadMs(before, after, 1)).toBe(50);
  });

  it('reads nothing of a process that is gone', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    await once(child, 'exit');
    expect(threadCpuMsOf(child.pid)).toBeNull();
  });
});

describe('one side of a measurement', () => {
  /** Whether a process still runs (signal 0 only checks). */
  const alive = (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('restarts as a new process that answers, and release stops that one', async () => {
    const side = await startSide({ label: 'restart-spec', main: BASELINE_MAIN, herald: false });
    try {
      const first = side.server;
      const second = await side.restart();
      expect(second.pid).not.toBe(first.pid);
      expect(side.server).toBe(second);
      expect(alive(first.pid)).toBe(false);
      expect((await fetch(`${second.url}/api/health`)).status).toBe(200);
    } finally {
      await side.release();
    }
    expect(alive(side.server.pid)).toBe(false);
  });
});
