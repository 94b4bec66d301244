// The test harness of the workspace: everything api-e2e, web-e2e, the benchmark and the soak
// need to run Herald for real and clean up after it, defined once.
//
// Plain ESM (.mjs) with type declarations beside it (index.d.mts), like tools/test/browser.mjs:
// the node scripts in tools/bench import it as it is, with no build or loader, and the
// TypeScript test projects import the same file by its relative path (a tsconfig alias
// would resolve to the .mjs and lose the declarations; eslint.config.mjs allows it). Helpers
// that are about one library (its fake server, its fixtures) live in that library's own
// `testing` entry point instead, e.g. `@herald/realtime-client/testing`.
//
// Every name a run creates (databases, Redis keys) carries the run id, so a teardown can
// remove what a crashed file or scenario left behind.
export {
  API_MAIN,
  TEST_ORIGIN,
  WORKSPACE_ROOT,
  defaultApiEnv,
  runningChildren,
  startApi,
} from './api.mjs';
export { freePort } from './ports.mjs';
export {
  ADMIN_PG_URL,
  SCRATCH_DB_PREFIX,
  createScratchDatabase,
  dropDatabase,
  dropRunDatabases,
} from './postgres.mjs';
export { TEST_REDIS_URL, deleteKeysWithPrefix, deleteRunKeys, redisPrefixFor } from './redis.mjs';
export { newRunId } from './run-id.mjs';
export { percentile, summarize } from './stats.mjs';
export { TEST_API_KEY, TEST_JWT_SECRET, mintToken, unsignedToken } from './tokens.mjs';
export { sleep, waitFor } from './wait.mjs';
