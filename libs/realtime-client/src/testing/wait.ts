import { waitFor } from '../../../../tools/testing/index.mjs';
import type { ConnectionStatus, RealtimeClient } from '../index';

/** Resolves once `client` reports `status`; the timeout is a liveness bound only. */
export function waitForStatus(
  client: RealtimeClient,
  status: ConnectionStatus,
  timeoutMs = 5_000,
): Promise<number> {
  return waitFor(
    () => client.getState().status === status,
    timeoutMs,
    `status ${status} (now ${client.getState().status})`,
    10,
  );
}
