/* eslint-disable @typescript-eslint/no-explicit-any -- answers are arbitrary JSON; tests assert their shape */
import {
  type ApiProcess,
  createScratchDatabase,
  startApi,
  TEST_API_KEY,
} from '../../../../tools/testing/index.mjs';
import WebSocket from 'ws';
import type { TestSocket } from '../support/clients';
import { expectApiErrorBody } from '../support/error-body';

/** Calls a service endpoint with the test API key (or the given headers instead); an error answer must carry its code. */
export async function service(
  baseUrl: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = { 'x-api-key': TEST_API_KEY },
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : undefined;
  expectApiErrorBody(path, res.status, parsed);
  return { status: res.status, body: parsed };
}

/** Resolves with the disconnect reason, or fails after `timeoutMs`. */
export function disconnected(socket: TestSocket, timeoutMs = 5_000): Promise<string> {
  if (socket.disconnected && !socket.active) return Promise.resolve('already disconnected');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`still connected after ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/** Emits a client event (name chosen at run time) and resolves with its acknowledgement. */
export function emitWithAck(socket: TestSocket, event: string, ...args: unknown[]): Promise<any> {
  return (
    socket as unknown as {
      timeout(ms: number): { emitWithAck(e: string, ...a: unknown[]): Promise<any> };
    }
  )
    .timeout(5_000)
    .emitWithAck(event, ...args);
}

/** Emits without an acknowledgement, for events the server must ignore or refuse silently. */
export function emitRaw(socket: TestSocket, event: string, ...args: unknown[]): void {
  (socket as unknown as { emit(e: string, ...a: unknown[]): void }).emit(event, ...args);
}

/**
 * A raw engine.io websocket handshake (no Socket.IO client), so the Origin header is
 * exactly what a browser would send. Resolves with the HTTP status: 101 when upgraded.
 */
export function rawWebSocketStatus(
  baseUrl: string,
  origin: string | undefined,
  path = '/socket.io/',
): Promise<number> {
  const url = `${baseUrl.replace(/^http/, 'ws')}${path}?EIO=4&transport=websocket`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: origin ? { origin } : {} });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no answer to the websocket upgrade'));
    }, 5_000);
    ws.once('upgrade', (res) => {
      clearTimeout(timer);
      resolve(res.statusCode ?? 0);
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Closes every socket given, whatever state it is in. */
export function closeAll(sockets: (TestSocket | undefined)[]): void {
  for (const socket of sockets) socket?.close();
}

/**
 * Starts the built API on a fresh PostgreSQL database of its own (quicker to open than the
 * embedded one, which matters on a loaded machine); `stop()` also drops the database.
 */
export async function startRealtimeApi(
  runId: string,
  env: Record<string, string | undefined> = {},
): Promise<ApiProcess & { stopAll(): Promise<void> }> {
  const database = await createScratchDatabase(runId);
  try {
    const api = await startApi({
      env: { DATABASE_URL: database.url, ...env },
      startTimeoutMs: 90_000,
    });
    return Object.assign(api, {
      async stopAll() {
        await api.stop();
        await database.drop();
      },
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
}
