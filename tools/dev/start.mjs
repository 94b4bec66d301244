#!/usr/bin/env node
// `npm start`: the API (:3000, embedded database in ./data) and the demo web app (:5173)
// together, with development defaults. Ctrl-C or SIGTERM stops both; if either exits,
// the other is stopped too.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { API_MAIN, ROOT, ensureApiBuild, loadDotEnv } from './build-if-stale.mjs';

loadDotEnv();
ensureApiBuild();

const apiPort = process.env.PORT ?? 3000;

/**
 * The API's own config rule for demo sign-in: on when DEMO_AUTH says so, otherwise only in
 * zero configuration (no JWT verifier), and never in production.
 */
function demoIsOn(env) {
  if (env.NODE_ENV === 'production') return false;
  const demoAuth = env.DEMO_AUTH?.trim();
  if (demoAuth) return /^(true|1|yes)$/i.test(demoAuth);
  return !env.JWT_SECRET && !env.JWT_PUBLIC_KEY && !env.JWT_JWKS_URL;
}

/**
 * With no escalation channel configured, the demo escalates to its own local inbox
 * (POST /api/demo/webhook-inbox), signed with a secret made for this start, after a short
 * delay: someone trying the demo sees a notification escalate within seconds. Anything
 * configured (a channel, production, demo off) is left exactly as it is.
 */
function localWebhookInbox(env) {
  if (env.ESCALATION_WEBHOOK_URL || env.SMTP_URL || !demoIsOn(env)) return {};
  return {
    ESCALATION_WEBHOOK_URL: `http://127.0.0.1:${apiPort}/api/demo/webhook-inbox`,
    WEBHOOK_SECRET: env.WEBHOOK_SECRET || `whsec_${randomBytes(32).toString('base64')}`,
    ESCALATION_DELAY_SECONDS: env.ESCALATION_DELAY_SECONDS || '15',
  };
}
const inboxEnv = localWebhookInbox(process.env);

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

run('api', process.execPath, [API_MAIN], {
  LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
  ...inboxEnv,
});
run(
  'web',
  process.execPath,
  [`${ROOT}/node_modules/vite/bin/vite.js`, '--config', 'apps/web/vite.config.mts'],
  {
    HERALD_API_URL: process.env.HERALD_API_URL ?? `http://localhost:${apiPort}`,
  },
);
console.error('[herald] API on http://localhost:%s/api, demo on http://localhost:5173', apiPort);
if (inboxEnv.ESCALATION_WEBHOOK_URL) {
  console.error(
    '[herald] no escalation channel configured: webhooks go to the demo inbox (%s) after %ss',
    inboxEnv.ESCALATION_WEBHOOK_URL,
    inboxEnv.ESCALATION_DELAY_SECONDS,
  );
}
