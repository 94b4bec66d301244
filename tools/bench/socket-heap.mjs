#!/usr/bin/env node
// Where an idle socket's heap goes: takes a heap snapshot of a server before and after N
// sockets connect (after the same warm-up as the benchmark's idle-memory scenario), and
// lists what the sockets added, per socket, grouped by object and by what keeps it (the
// first two retainers). Run it for Herald and the baseline to see which objects make the
// difference in "JS heap per idle socket"; an object held only by Herald names the code
// that keeps it.
//
//   node tools/bench/socket-heap.mjs [--target herald|baseline|both] [--sockets 2000] [--top 40]
//
// Herald runs from its production build (dist/apps/api/main.js, built when missing: `npx nx
// build api`) on embedded PGlite in a temporary directory. The snapshots go through the
// server's inspector on loopback; the clients are socket.io-client in this process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { freePort, mintToken } from '../testing/index.mjs';
import { API_MAIN, BASELINE_MAIN, heraldEnv, sleep, startServer } from './lib/servers.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const targets = option('target', 'both') === 'both' ? ['baseline', 'herald'] : [option('target')];
const sockets = Number(option('sockets', 2000));
const top = Number(option('top', 40));
const WARM_UP = 50;
const LARGE_STRING = 4096;

/** A full heap snapshot through the inspector (GC'd twice first), parsed. */
async function heapSnapshot(inspectPort) {
  const [target] = await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json();
  const ws = new WebSocket(target.webSocketDebuggerUrl, { maxPayload: 2 ** 31 - 1 });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const chunks = [];
  const pending = new Map();
  let nextId = 0;
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(message.params.chunk);
    else pending.get(message.id)?.(message);
  });
  const call = (method, params = {}) =>
    new Promise((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await call('HeapProfiler.enable');
  await call('HeapProfiler.collectGarbage');
  await call('HeapProfiler.collectGarbage');
  await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  ws.close();
  return JSON.parse(chunks.join(''));
}

/**
 * Self size and count per "type:name @ retainer.edge <- retainer's retainer.edge", the
 * retainer being the first strong one the snapshot lists (a DAG has many; the first is the
 * one a heap-snapshot viewer shows first too).
 */
function aggregate(snapshot) {
  const meta = snapshot.snapshot.meta;
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const [nodeTypes] = meta.node_types;
  const [edgeTypes] = meta.edge_types;
  const field = (name) => meta.node_fields.indexOf(name);
  const [TYPE, NAME, SELF, EDGES] = ['type', 'name', 'self_size', 'edge_count'].map(field);
  const [EDGE_TYPE, EDGE_NAME, EDGE_TO] = ['type', 'name_or_index', 'to_node'].map((name) =>
    meta.edge_fields.indexOf(name),
  );
  const { nodes, edges, strings } = snapshot;
  const count = nodes.length / nodeFields;
  const retainer = new Int32Array(count).fill(-1);
  const via = new Array(count);
  for (let node = 0, edge = 0; node < count; node++) {
    for (let k = nodes[node * nodeFields + EDGES]; k > 0; k--, edge += edgeFields) {
      const type = edgeTypes[edges[edge + EDGE_TYPE]];
      if (type === 'weak' || type === 'shortcut') continue;
      const to = edges[edge + EDGE_TO] / nodeFields;
      if (retainer[to] !== -1) continue;
      retainer[to] = node;
      via[to] =
        type === 'element' || type === 'hidden'
          ? `[${type}]`
          : String(strings[edges[edge + EDGE_NAME]]).slice(0, 30);
    }
  }
  const label = (node) => {
    const type = nodeTypes[nodes[node * nodeFields + TYPE]];
    const anonymous = type === 'string' || type === 'number' || type.includes('string');
    const name = anonymous ? '' : String(strings[nodes[node * nodeFields + NAME]]).slice(0, 40);
    return `${type}:${name}`;
  };
  const groups = new Map();
  for (let node = 0; node < count; node++) {
    const holder = retainer[node];
    const bytes = nodes[node * nodeFields + SELF];
    let path = '(root)';
    // A large string is a script's source or the like, made once: the retainer a snapshot
    // lists first for it changes between snapshots, which would show as noise in pairs.
    if (bytes >= LARGE_STRING && label(node) === 'string:') path = '(any, large strings)';
    else if (holder >= 0) {
      path = `${label(holder)}.${via[node]}`;
      if (retainer[holder] >= 0) path += ` <- ${label(retainer[holder])}.${via[holder]}`;
    }
    const key = `${label(node)}  @ ${path}`;
    const group = groups.get(key) ?? { count: 0, bytes: 0 };
    group.count += 1;
    group.bytes += bytes;
    groups.set(key, group);
  }
  return groups;
}

async function connect(url, first, n) {
  const opened = [];
  for (let i = 0; i < n; i += 100) {
    const batch = Array.from({ length: Math.min(100, n - i) }, (_, j) => first + i + j);
    await Promise.all(
      batch.map(async (user) => {
        const token = await mintToken(`heap-${user}`);
        await new Promise((resolve, reject) => {
          const socket = io(url, {
            transports: ['websocket'],
            auth: { token },
            reconnection: false,
          });
          socket.once('authenticated', resolve);
          socket.once('connect_error', reject);
          opened.push(socket);
        });
      }),
    );
  }
  return opened;
}

async function measure(target) {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-socket-heap-'));
  const server = await startServer({
    label: target,
    main: target === 'baseline' ? BASELINE_MAIN : API_MAIN,
    env: target === 'baseline' ? {} : heraldEnv({ DATA_DIR: dataDir }),
    port: await freePort(),
  });
  try {
    for (const socket of await connect(server.url, 0, WARM_UP)) socket.close();
    await sleep(1_000);
    const before = aggregate(await heapSnapshot(server.inspectPort));
    const open = await connect(server.url, WARM_UP, sockets);
    await sleep(1_000);
    const after = aggregate(await heapSnapshot(server.inspectPort));
    for (const socket of open) socket.close();
    const rows = [];
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      const a = after.get(key) ?? { count: 0, bytes: 0 };
      const b = before.get(key) ?? { count: 0, bytes: 0 };
      if (a.bytes !== b.bytes)
        rows.push({ key, count: a.count - b.count, bytes: a.bytes - b.bytes });
    }
    rows.sort((x, y) => Math.abs(y.bytes) - Math.abs(x.bytes));
    const total = rows.reduce((sum, row) => sum + row.bytes, 0);
    console.log(
      `\n${target}: ${(total / sockets).toFixed(0)} B of heap per idle socket (${sockets} sockets, snapshot self sizes)`,
    );
    console.log('   B/socket  objects/socket  object @ kept by');
    for (const row of rows.slice(0, top)) {
      const perSocket = (row.bytes / sockets).toFixed(1).padStart(9);
      const objects = (row.count / sockets).toFixed(2).padStart(8);
      console.log(`${perSocket}  ${objects}        ${row.key}`);
    }
  } finally {
    await server.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

for (const target of targets) await measure(target);
process.exit(0);
