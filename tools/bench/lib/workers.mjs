// The coordinator's handle on its client worker processes: spawn, command over IPC, kill.
import { fork } from 'node:child_process';
import { resolve } from 'node:path';

const WORKER = resolve(import.meta.dirname, 'client-worker.mjs');

export class WorkerPool {
  /** @param {number} size number of worker processes (each holds a share of the sockets) */
  constructor(size) {
    this.workers = Array.from({ length: size }, () => {
      const child = fork(WORKER, [], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        execArgv: ['--max-old-space-size=4096'],
      });
      const pending = new Map();
      child.on('message', ({ id, ok, result, error }) => {
        const waiter = pending.get(id);
        if (!waiter) return;
        pending.delete(id);
        if (ok) waiter.resolve(result);
        else waiter.reject(new Error(`client worker: ${error}`));
      });
      child.on('exit', (code, signal) => {
        for (const waiter of pending.values())
          waiter.reject(new Error(`client worker exited (${code ?? signal})`));
        pending.clear();
      });
      return { child, pending, nextId: 0 };
    });
  }

  get size() {
    return this.workers.length;
  }

  /** Sends one command to worker `index`; rejects after `timeoutMs`. */
  call(index, cmd, args = {}, timeoutMs = 120_000) {
    const worker = this.workers[index];
    const id = ++worker.nextId;
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        worker.pending.delete(id);
        reject(new Error(`client worker ${index}: "${cmd}" timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      worker.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolvePromise(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      worker.child.send({ id, cmd, args });
    });
  }

  /** The same command on every worker; `argsFor(i)` may tailor the arguments. */
  all(cmd, argsFor = () => ({}), timeoutMs) {
    return Promise.all(this.workers.map((_, i) => this.call(i, cmd, argsFor(i), timeoutMs)));
  }

  close() {
    for (const { child } of this.workers)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
