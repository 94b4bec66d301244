import { rmSync } from 'node:fs';
import { readState, stopApi } from './api-server';

export default async function globalTeardown(): Promise<void> {
  await stopApi();
  rmSync(readState().dataDir, { recursive: true, force: true });
}
