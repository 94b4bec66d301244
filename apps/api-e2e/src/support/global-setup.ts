import { existsSync } from 'node:fs';
import {
  API_MAIN,
  deleteRunKeys,
  dropRunDatabases,
  newRunId,
} from '../../../../tools/testing/index.mjs';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Unique id of this test run: database names and Redis prefixes include it. */
    runId: string;
  }
}

export default function setup(project: TestProject) {
  if (!existsSync(API_MAIN))
    throw new Error(`${API_MAIN} is missing: run "npx nx build api" first`);
  const runId = newRunId();
  project.provide('runId', runId);
  return async () => {
    // Leftovers of a failed file are removed here, so no run leaves anything behind.
    await dropRunDatabases(runId).catch((e) => console.warn(`could not drop test databases: ${e}`));
    await deleteRunKeys(runId).catch((e) => console.warn(`could not delete test Redis keys: ${e}`));
  };
}
