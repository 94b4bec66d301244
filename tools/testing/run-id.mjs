import { randomBytes } from 'node:crypto';

/** A short id unique to one test or benchmark run: lower-case letters and digits only. */
export function newRunId() {
  return `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
}
