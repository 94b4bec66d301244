import { execFile, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  startApi,
  TEST_API_KEY,
  TEST_JWT_SECRET,
  WORKSPACE_ROOT,
  type ApiProcess,
} from '../../../../tools/testing/index.mjs';

/**
 * The client-side libraries as another app gets them: packed with `npm pack`, installed
 * from the tarballs into a project outside the workspace (its own package.json, no path
 * aliases, no workspace node_modules above it), type-checked by that project's own
 * TypeScript with `module: nodenext`, and run against the real API.
 * The app is examples/node-consumer; the libraries are built by `nx run-many -t build`.
 */
const PACKAGES = ['ws-contracts', 'realtime-client', 'realtime-react'] as const;
const CONSUMER = resolve(WORKSPACE_ROOT, 'examples/node-consumer');
/** npm install and tsc on a busy machine. */
const SETUP_TIMEOUT_MS = 240_000;

const run = promisify(execFile);

/** npm run by `npm test` exports npm_* settings (prefix, cache, …); the scratch project gets none of them. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD'),
  );
  return { ...env, ...extra };
}

interface PackedFile {
  path: string;
}
interface PackResult {
  name: string;
  version: string;
  filename: string;
  files: PackedFile[];
}

describe('the published packages in another app (examples/node-consumer)', () => {
  let scratch: string;
  let app: string;
  const packed: PackResult[] = [];
  let api: ApiProcess | undefined;

  beforeAll(async () => {
    for (const name of PACKAGES) {
      if (!existsSync(join(WORKSPACE_ROOT, 'dist/libs', name, 'package.json'))) {
        throw new Error(`dist/libs/${name} is missing: run "npx nx run-many -t build" first`);
      }
    }
    scratch = mkdtempSync(join(tmpdir(), 'herald-consumer-'));
    const tarballs = join(scratch, 'packages');
    mkdirSync(tarballs);
    app = join(scratch, 'node-consumer');
    cpSync(CONSUMER, app, { recursive: true, filter: (src) => !/node_modules|dist/.test(src) });
    for (const name of PACKAGES) {
      const { stdout } = await run(
        'npm',
        ['pack', join(WORKSPACE_ROOT, 'dist/libs', name), '--json', '--pack-destination', tarballs],
        { cwd: scratch, env: cleanEnv() },
      );
      packed.push(...(JSON.parse(stdout) as PackResult[]));
    }
    await run(
      'npm',
      [
        'install',
        '--prefix',
        app,
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
        ...packed.map((p) => join(tarballs, p.filename)),
      ],
      { cwd: app, env: cleanEnv(), timeout: SETUP_TIMEOUT_MS },
    );
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await api?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('packs each library with its manifest, ESM code and declarations only', () => {
    expect(packed.map((p) => `${p.name}@${p.version}`)).toEqual(
      PACKAGES.map((name) => `@herald/${name}@0.1.0`),
    );
    for (const p of packed) {
      const files = p.files.map((f) => f.path);
      expect(files, p.name).toContain('package.json');
      expect(files, p.name).toContain('index.js');
      expect(files, p.name).toContain('index.d.ts');
      expect(files.filter((f) => !/^(package\.json|README\.md|.*\.js|.*\.d\.ts)$/.test(f))).toEqual(
        [],
      );
      expect(files.some((f) => f.includes('.spec.'))).toBe(false);
    }
  });

  it('installs from the tarballs as real copies, with no reference to the workspace', () => {
    const lock = readFileSync(join(app, 'package-lock.json'), 'utf8');
    expect(lock).not.toContain(WORKSPACE_ROOT);
    expect(lock).not.toContain('"link": true');
    for (const name of PACKAGES) {
      const installed = join(app, 'node_modules/@herald', name);
      expect(lstatSync(installed).isSymbolicLink(), name).toBe(false);
      const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
      expect(manifest.type).toBe('module');
      expect(manifest.exports['.']).toEqual({ types: './index.d.ts', default: './index.js' });
    }
    // Peer dependencies came from the registry, next to the packages.
    for (const peer of ['zod', 'socket.io-client', 'react']) {
      expect(existsSync(join(app, 'node_modules', peer, 'package.json')), peer).toBe(true);
    }
    const tsconfig = readFileSync(join(app, 'tsconfig.json'), 'utf8');
    expect(tsconfig).not.toContain('paths');
  });

  it('type-checks against the declarations with its own TypeScript (nodenext), and types are real', async () => {
    const tsc = join(app, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, env: cleanEnv() }).catch(
      (error: { stdout: string }) => {
        throw new Error(`the consumer does not type-check:\n${error.stdout}`);
      },
    );
    expect(existsSync(join(app, 'dist/main.js'))).toBe(true);

    // A wrong payload must not compile: the contract's types arrived, not `any`.
    writeFileSync(
      join(app, 'src/wrong-payload.ts'),
      [
        "import { ClientEvent } from '@herald/ws-contracts';",
        "import { createRealtimeClient } from '@herald/realtime-client';",
        "const client = createRealtimeClient({ url: 'http://localhost', token: 't' });",
        'void client.emitWithAck(ClientEvent.MarkRead, { notificationId: 42 });',
        '',
      ].join('\n'),
    );
    // Plain diagnostics whatever the environment (CI and Nx tasks force colour and pretty output).
    const refused = await run(
      process.execPath,
      [tsc, '-p', 'tsconfig.json', '--noEmit', '--pretty', 'false'],
      { cwd: app, env: cleanEnv() },
    ).then(
      () => ({ stdout: '' }),
      (error: { stdout: string }) => error,
    );
    rmSync(join(app, 'src/wrong-payload.ts'));
    expect(refused.stdout).toMatch(/src\/wrong-payload\.ts\(4,\d+\): error TS2322/);
  }, 120_000);

  it('loads every package under Node ESM', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        [
          "const contracts = await import('@herald/ws-contracts');",
          "const client = await import('@herald/realtime-client');",
          "const react = await import('@herald/realtime-react');",
          'console.log(JSON.stringify([contracts.ServerEvent.NotificationNew, typeof client.createRealtimeClient, typeof react.RealtimeProvider, typeof react.useUnreadCount]));',
        ].join('\n'),
      ],
      { cwd: app, env: cleanEnv() },
    );
    expect(JSON.parse(stdout)).toEqual(['notification:new', 'function', 'function', 'function']);
  });

  it('connects to the real API, receives a notification and marks it read', async () => {
    api = await startApi();
    const userId = `consumer-${Date.now().toString(36)}`;
    // The token comes from the workspace's own tool, as a developer would mint it.
    const { stdout: token } = await run(
      process.execPath,
      [join(WORKSPACE_ROOT, 'tools/token/mint.mjs'), userId, '--ttl', '10m'],
      { cwd: scratch, env: cleanEnv({ JWT_SECRET: TEST_JWT_SECRET }) },
    );

    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: app,
      env: cleanEnv({
        HERALD_URL: api.url,
        HERALD_TOKEN: token.trim(),
        HERALD_TIMEOUT_MS: '20000',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const connected = new Promise<void>((resolveConnected) => {
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        output.push(...lines);
        if (lines.some((l) => l === `connected as ${userId}`)) resolveConnected();
      });
    });
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));

    await Promise.race([connected, exited]);
    const sent = await fetch(`${api.url}/api/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY },
      body: JSON.stringify({ userId, title: 'From another app', message: 'packed and installed' }),
    });
    expect(sent.status).toBe(201);
    const notification = (await sent.json()) as { id: string };

    expect(await exited, `${output.join('\n')}\n${stderr}`).toBe(0);
    expect(output).toEqual([
      `connected as ${userId}`,
      `received ${notification.id}: From another app`,
      `marked ${notification.id} read, 0 unread`,
    ]);

    // The server agrees: nothing is unread for that user any more.
    const unread = await fetch(`${api.url}/api/notifications/unread-count`, {
      headers: { authorization: `Bearer ${token.trim()}` },
    });
    expect(await unread.json()).toEqual({ unreadCount: 0 });
  }, 60_000);
});
