import { WORKSPACE_ROOT } from '../../../../tools/testing/index.mjs';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { build } from 'vite';

const EMITTER_SOURCE = resolve(WORKSPACE_ROOT, 'libs/realtime/src/lib/cluster/realtime-emitter.ts');
const PUBLISH_SCRIPT = resolve(import.meta.dirname, 'publish-event.mjs');

/**
 * Compiles RealtimeEmitter (TypeScript source of @herald/realtime) into one ES module, the
 * way any service in this monorepo would bundle it; its dependencies (ioredis, zod) stay
 * imports resolved from the workspace's node_modules. Nothing of Nest is in it.
 */
export async function buildEmitterBundle(runId: string): Promise<string> {
  const outDir = resolve(
    WORKSPACE_ROOT,
    'tmp',
    `e2e-emitter-${runId}-${randomBytes(3).toString('hex')}`,
  );
  await build({
    configFile: false,
    logLevel: 'warn',
    root: WORKSPACE_ROOT,
    resolve: { tsconfigPaths: true },
    build: {
      ssr: EMITTER_SOURCE,
      outDir,
      emptyOutDir: true,
      minify: false,
      rollupOptions: { output: { format: 'esm', entryFileNames: 'realtime-emitter.mjs' } },
    },
  });
  return resolve(outDir, 'realtime-emitter.mjs');
}

/** Runs publish-event.mjs with plain `node`; resolves with its exit code and output. */
export function runEmitterScript(
  bundle: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [PUBLISH_SCRIPT], {
      env: { PATH: process.env['PATH'] ?? '', EMITTER_MODULE: bundle, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      res({ code, output });
    });
  });
}
