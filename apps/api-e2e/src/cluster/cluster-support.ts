import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket as NetSocket } from 'node:net';
import { resolve } from 'node:path';
import {
  createScratchDatabase,
  deleteKeysWithPrefix,
  freePort,
  redisPrefixFor,
  startApi,
  TEST_API_KEY,
  TEST_REDIS_URL,
  waitFor,
  WORKSPACE_ROOT,
  type ApiProcess,
  type ScratchDatabase,
} from '../../../../tools/testing/index.mjs';
import type { Socket } from 'socket.io-client';
import type { ServerToClientEvents } from '@herald/ws-contracts';
import type { TestSocket } from '../support/clients';

/** Starts `count` API processes sharing one Redis prefix and one database, in parallel. */
export function startCluster(
  count: number,
  env: Record<string, string | undefined>,
): Promise<ApiProcess[]> {
  return Promise.all(Array.from({ length: count }, () => startApi({ env })));
}

export async function stopAll(apis: (ApiProcess | undefined)[]): Promise<void> {
  await Promise.all(apis.map((api) => api?.stop()));
}

/** POST with the service key; resolves with status and parsed body (typed by the caller). */
export async function servicePost<T = unknown>(
  api: ApiProcess,
  path: string,
  body: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${api.url}/api${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function presenceOf(
  api: ApiProcess,
  userId: string,
): Promise<{ online: boolean; sockets: number }> {
  const res = await fetch(`${api.url}/api/realtime/users/${encodeURIComponent(userId)}/presence`, {
    headers: { 'x-api-key': TEST_API_KEY },
  });
  if (res.status !== 200) throw new Error(`presence answered ${res.status}: ${await res.text()}`);
  return res.json() as Promise<{ online: boolean; sockets: number }>;
}

/**
 * The payload of a server event of the contract, or `unknown` for an event an app adds
 * itself (e.g. the groups demo's `group:message`).
 */
export type ArrivalPayload<E extends string> = E extends keyof ServerToClientEvents
  ? Parameters<ServerToClientEvents[E]>[0]
  : unknown;

/** Records every payload of `event` on a socket with its arrival time (ms, high resolution). */
export function recordArrivals<E extends string>(
  socket: TestSocket,
  event: E,
): { payload: ArrivalPayload<E>; at: number }[] {
  const items: { payload: ArrivalPayload<E>; at: number }[] = [];
  (socket as unknown as Socket).on(event as string, (payload: ArrivalPayload<E>) =>
    items.push({ payload, at: performance.now() }),
  );
  return items;
}

// ---- a private Redis, for outage tests (never stop the machine's shared one) -------------

export interface PrivateRedis {
  port: number;
  url: string;
  /** Stops the server abruptly (SIGKILL): every connection drops, nothing is saved. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    await waitFor(() => canConnect(port), 10_000, `private redis-server on ${port}`);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    async kill() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((res) => {
    const socket = new NetSocket();
    socket.once('connect', () => {
      socket.destroy();
      res(true);
    });
    socket.once('error', () => res(false));
    socket.connect(port, '127.0.0.1');
  });
}

// ---- nginx in front of the cluster, with the configuration shipped in deploy/ ------------

export const NGINX_BIN = process.env['NGINX_BIN'] ?? '/usr/sbin/nginx';
export const HERALD_NGINX_CONF = resolve(WORKSPACE_ROOT, 'deploy/nginx/herald.conf');

export interface NginxProcess {
  url: string;
  /** Upstream address of every request nginx proxied, in order (from its access log). */
  upstreamsSeen(): string[];
  stop(): Promise<void>;
}

/**
 * Runs the shipped deploy/nginx/herald.conf, unchanged but for the addresses: the
 * `server` lines of its upstream become the test's API processes and `listen` a free
 * loopback port. Runs in its own prefix directory, never the system service.
 */
export async function startNginx(
  upstreams: ApiProcess[],
  runId: string,
  edit: (siteConfig: string) => string = (c) => c,
): Promise<NginxProcess> {
  const port = await freePort();
  const dir = resolve(WORKSPACE_ROOT, 'tmp', `nginx-e2e-${runId}-${port}`);
  mkdirSync(resolve(dir, 'logs'), { recursive: true });
  const site = edit(rewriteSiteConfig(readFileSync(HERALD_NGINX_CONF, 'utf8'), upstreams, port));
  writeFileSync(resolve(dir, 'herald.conf'), site);
  const accessLog = resolve(dir, 'logs/access.log');
  writeFileSync(
    resolve(dir, 'nginx.conf'),
    [
      'worker_processes 1;',
      `error_log ${dir}/logs/error.log warn;`,
      'events { worker_connections 256; }',
      'http {',
      `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;`,
      `  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
      "  log_format upstream '$upstream_addr $request';",
      `  access_log ${accessLog} upstream;`,
      `  include ${dir}/herald.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  const child = spawn(
    NGINX_BIN,
    [
      '-p',
      dir,
      '-c',
      `${dir}/nginx.conf`,
      '-e',
      `${dir}/logs/error.log`,
      '-g',
      `daemon off; pid ${dir}/nginx.pid;`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  if (!child.stderr) throw new Error('nginx was spawned without a stderr pipe');
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await waitFor(
      () => child.exitCode === null && canConnect(port),
      10_000,
      `nginx on ${port} (${stderr})`,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    upstreamsSeen: () =>
      readFileSync(accessLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' ')[0]),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The shipped site config with the test's upstream addresses and listen port. */
export function rewriteSiteConfig(
  config: string,
  upstreams: ApiProcess[],
  listenPort: number,
): string {
  const servers = upstreams.map((api) => `    server 127.0.0.1:${api.port};`).join('\n');
  let replacedUpstream = false;
  const withUpstream = config.replace(
    /(upstream\s+herald_api\s*\{[^}]*?)((?:\s*server\s+[^;]+;)+)/,
    (_m, head: string) => {
      replacedUpstream = true;
      return `${head}\n${servers}`;
    },
  );
  if (!replacedUpstream)
    throw new Error('deploy/nginx/herald.conf has no "upstream herald_api { server …; }" block');
  const result = withUpstream.replace(/listen\s+[^;]+;/g, `listen 127.0.0.1:${listenPort};`);
  // The test serves plain HTTP on loopback; the shipped file's TLS lines would need certificates.
  return result.replace(/^\s*ssl_[^\n]*\n/gm, '');
}

export interface TwoProcessCluster {
  readonly prefix: string;
  a: ApiProcess;
  b: ApiProcess;
  database: ScratchDatabase;
  /** Sockets pushed here are closed before the processes stop. */
  readonly sockets: TestSocket[];
}

/**
 * Registers beforeAll/afterAll for two API processes on the machine's Redis (a key prefix
 * of their own) sharing one fresh PostgreSQL database; everything is removed afterwards.
 */
export function useTwoProcessCluster(runId: string, label: string): TwoProcessCluster {
  const cluster = {
    prefix: redisPrefixFor(runId, label),
    sockets: [] as TestSocket[],
  } as TwoProcessCluster;
  beforeAll(async () => {
    cluster.database = await createScratchDatabase(runId);
    [cluster.a, cluster.b] = await startCluster(2, {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: cluster.prefix,
      DATABASE_URL: cluster.database.url,
    });
  });
  afterAll(async () => {
    for (const socket of cluster.sockets) socket.close();
    await stopAll([cluster.a, cluster.b]);
    await cluster.database?.drop();
    await deleteKeysWithPrefix(cluster.prefix);
  });
  return cluster;
}
