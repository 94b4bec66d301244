import type { ChildProcess } from 'node:child_process';

export declare const WORKSPACE_ROOT: string;
/** `dist/apps/api/main.js`: the production build of the API. */
export declare const API_MAIN: string;
export declare const TEST_ORIGIN: string;
/** Children started by `startApi` (not detached) that have not exited yet. */
export declare const runningChildren: Set<ChildProcess>;
export declare function defaultApiEnv(): Record<string, string>;

export interface StartApiOptions {
  /** Overrides of `defaultApiEnv()`; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Fixed port, e.g. to restart on the same address; 0 (default) lets the API pick one. */
  port?: number;
  startTimeoutMs?: number;
  /** Another server script (e.g. the benchmark's baseline); defaults to `API_MAIN`. */
  main?: string;
  /** Node flags, e.g. `--inspect=127.0.0.1:9229`. */
  execArgv?: string[];
  /** Names the process in errors. */
  label?: string;
  /** Append stdout and stderr to this file instead of capturing them in `logs`. */
  logFile?: string;
  /** Let the process outlive this one (with `logFile`); it is then never killed on exit. */
  detached?: boolean;
  /** How many of the latest log lines `logs` keeps (default 5,000). */
  maxLogLines?: number;
}

export interface ApiProcess {
  label: string;
  url: string;
  port: number;
  pid: number | undefined;
  /** The lines the process wrote to stdout and stderr (empty with `logFile`). */
  logs: string[];
  child: ChildProcess;
  /** SIGTERM, SIGKILL after `graceMs` (default 30 s); resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL: a process that dies without saying goodbye. */
  kill(): Promise<void>;
}

/** Starts the built API (or `main`) as a child process and resolves once it listens. */
export declare function startApi(options?: StartApiOptions): Promise<ApiProcess>;

export declare function freePort(): Promise<number>;

export declare const ADMIN_PG_URL: string;
export declare const SCRATCH_DB_PREFIX: string;
export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}
export declare function createScratchDatabase(
  runId: string,
  label?: string,
): Promise<ScratchDatabase>;
export declare function dropDatabase(name: string): Promise<void>;
export declare function dropRunDatabases(runId: string): Promise<void>;

export declare const TEST_REDIS_URL: string;
export declare function redisPrefixFor(runId: string, label?: string): string;
export declare function deleteKeysWithPrefix(prefix: string, url?: string): Promise<number>;
export declare function deleteRunKeys(runId: string, url?: string): Promise<number>;

export declare function newRunId(): string;

export declare function percentile(values: ArrayLike<number>, p: number): number;
export declare function summarize(values: ArrayLike<number>): {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
};

export declare const TEST_JWT_SECRET: string;
export declare const TEST_API_KEY: string;
export interface TokenOptions {
  email?: string;
  role?: string;
  /** Seconds from now; negative for an already expired token. */
  expiresIn?: number;
  notBefore?: number;
  secret?: string;
  issuer?: string;
  audience?: string;
  extraClaims?: Record<string, unknown>;
}
export declare function mintToken(sub: string, options?: TokenOptions): Promise<string>;
export declare function unsignedToken(claims: Record<string, unknown>): string;

export declare function sleep(ms: number): Promise<void>;
/** Polls `probe` until truthy; resolves with the elapsed ms, rejects naming `what` after `timeoutMs`. */
export declare function waitFor(
  probe: () => unknown,
  timeoutMs?: number,
  what?: string,
  intervalMs?: number,
): Promise<number>;
