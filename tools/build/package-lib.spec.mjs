import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addExtensions } from './package-lib.mjs';

describe('ESM packages: explicit extensions on relative imports', () => {
  let dir;
  const write = (path, text) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const read = (path) => readFileSync(join(dir, path), 'utf8');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-package-lib-'));
    write('lib/events.js', 'export const A = 1;\n');
    write('lib/events.d.ts', 'export declare const A = 1;\n');
    write('lib/nested/index.js', 'export const B = 2;\n');
    write('lib/nested/index.d.ts', 'export declare const B = 2;\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('points files at .js and folders at /index.js, in code and declarations alike', () => {
    write(
      'index.js',
      "export * from './lib/events';\nimport { B } from \"./lib/nested\";\nimport './lib/events.js';\nexport { z } from 'zod';\n",
    );
    write(
      'index.d.ts',
      "export * from './lib/events';\nexport type N = typeof import('./lib/nested').B;\n",
    );
    addExtensions(join(dir, 'index.js'));
    addExtensions(join(dir, 'index.d.ts'));
    expect(read('index.js')).toBe(
      "export * from './lib/events.js';\nimport { B } from \"./lib/nested/index.js\";\nimport './lib/events.js';\nexport { z } from 'zod';\n",
    );
    expect(read('index.d.ts')).toBe(
      "export * from './lib/events.js';\nexport type N = typeof import('./lib/nested/index.js').B;\n",
    );
  });

  it('fails the build on an import that resolves to nothing', () => {
    write('index.js', "export * from './lib/missing';\n");
    expect(() => addExtensions(join(dir, 'index.js'))).toThrow(
      /index\.js: cannot resolve "\.\/lib\/missing" in the build output/,
    );
  });
});
