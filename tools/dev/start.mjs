#!/usr/bin/env node
// `npm start`: the API (:3000, embedded database in ./data) and the demo web app (:5173)
// together, with development defaults. Ctrl-C or SIGTERM stops both; if either exits,
// the other is stopped too.
import { spawn } from 'node:child_process';
import { API_MAIN, ROOT, ensureApiBuild, loadDotEnv } from './build-if-stale.mjs';

loadDotEnv();
ensureApiBuild();

const children = [];
let stopping = false;

function run(name, command, args, env = {}) {
  const child = spawn(command, args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[herald] ${name} exited (${signal ?? code}); stopping the rest`);
      stop(code ?? 1);
    }
  });
  return child;
}

function stop(code = 0) {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  const timer = setTimeout(() => process.exit(code), 12_000);
  timer.unref();
  Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)),
  ).then(() => process.exit(code));
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

run('api', process.execPath, [API_MAIN], { LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty' });
run(
  'web',
  process.execPath,
  [`${ROOT}/node_modules/vite/bin/vite.js`, '--config', 'apps/web/vite.config.mts'],
  {
    HERALD_API_URL: process.env.HERALD_API_URL ?? `http://localhost:${process.env.PORT ?? 3000}`,
  },
);
console.error(
  '[herald] API on http://localhost:%s/api, demo on http://localhost:5173',
  process.env.PORT ?? 3000,
);
