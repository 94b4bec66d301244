// Proves the dependency direction is enforced, not just documented (the contract imports
// nothing of ours; server and client code never import each other): lint refuses a
// forbidden import, and Nx's project graph shows the intended direction.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = resolve(import.meta.dirname, '../..');
const nxEnv = { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false' };

let graph;
beforeAll(() => {
  const file = resolve(ROOT, 'tmp/graph/project-graph.json');
  execFileSync('npx', ['nx', 'graph', `--file=${file}`], {
    cwd: ROOT,
    env: nxEnv,
    stdio: 'ignore',
  });
  graph = JSON.parse(readFileSync(file, 'utf8')).graph;
});

async function boundaryErrors(filePath, code) {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, filePath) });
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries');
}

// Our libraries a project depends on. Every project also depends on `tools` (its Vitest
// config imports the shared reporters); that is build tooling, not a library edge.
const ours = (project) =>
  graph.dependencies[project]
    .map((d) => d.target)
    .filter((t) => graph.nodes[t]?.data.root.startsWith('libs/'));

describe('module boundaries', () => {
  it.each([
    [
      'the contract importing a server library',
      'libs/ws-contracts/src/lib/probe.ts',
      '@herald/realtime',
    ],
    [
      'the contract importing a client library',
      'libs/ws-contracts/src/lib/probe.ts',
      '@herald/realtime-client',
    ],
    [
      'a server library importing a client library',
      'libs/realtime/src/lib/probe.ts',
      '@herald/realtime-client',
    ],
    [
      'a client library importing a server library',
      'libs/realtime-client/src/lib/probe.ts',
      '@herald/realtime',
    ],
    [
      'the React binding importing a server library',
      'libs/realtime-react/src/lib/probe.ts',
      '@herald/realtime',
    ],
    ['the web app importing a server library', 'apps/web/src/app/probe.ts', '@herald/realtime'],
    [
      "a server library importing the client's testing entry point",
      'libs/realtime/src/lib/probe.spec.ts',
      '@herald/realtime-client/testing',
    ],
  ])('lint refuses %s', async (_name, file, target) => {
    const errors = await boundaryErrors(
      file,
      `import * as forbidden from '${target}';\nexport const x = forbidden;\n`,
    );
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((e) => e.message).join('\n')).toMatch(/tagged with|Circular dependency/);
  });

  it.each([
    [
      'the React binding importing the client library',
      'libs/realtime-react/src/lib/probe.ts',
      '@herald/realtime-client',
    ],
    [
      'a server library importing the contract',
      'libs/realtime/src/lib/probe.ts',
      '@herald/ws-contracts',
    ],
    [
      "the React binding's tests importing the client's testing entry point",
      'libs/realtime-react/src/lib/probe.spec.tsx',
      '@herald/realtime-client/testing',
    ],
    [
      'an e2e test importing the shared test harness',
      'apps/api-e2e/src/probe.e2e.spec.ts',
      '../../../tools/testing/index.mjs',
    ],
  ])('lint allows %s', async (_name, file, target) => {
    const errors = await boundaryErrors(
      file,
      `import * as allowed from '${target}';\nexport const x = allowed;\n`,
    );
    expect(errors).toEqual([]);
  });

  it('has a project graph in which the contract depends on nothing of ours', () => {
    expect(ours('ws-contracts')).toEqual([]);
  });

  it('has a project graph in which the apps sit on top of the libraries', () => {
    expect(ours('api')).toEqual(expect.arrayContaining(['realtime', 'ws-contracts']));
    expect(ours('api')).not.toContain('realtime-client');
    expect(ours('web')).toEqual(expect.arrayContaining(['realtime-react', 'ws-contracts']));
    expect(ours('web')).not.toContain('realtime');
  });

  it('keeps server and client libraries apart in the project graph', () => {
    expect(ours('realtime')).not.toContain('realtime-client');
    expect(ours('realtime')).not.toContain('realtime-react');
    expect(ours('realtime-client')).not.toContain('realtime');
    expect(ours('realtime-react')).not.toContain('realtime');
  });
});
