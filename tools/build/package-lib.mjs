#!/usr/bin/env node
// Builds one library into an npm package in dist/<project root>:
//   node tools/build/package-lib.mjs libs/realtime-client
// 1. tsc with the library's tsconfig.build.json (JavaScript + .d.ts, one file per source);
// 2. for an ESM package ("type": "module"), relative imports get the explicit file
//    extension that Node's ESM loader and TypeScript's node16/nodenext resolution require
//    (`./lib/events` → `./lib/events.js`). The sources keep the workspace's bundler-style
//    imports; each rewrite is checked against the emitted files, so a broken import fails
//    the build instead of the consumer;
// 3. the library's package.json (name, version, exports, peerDependencies, files) and
//    README.md are copied beside the output, ready for `npm pack` / `npm publish`.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');

/** Relative specifiers in `from '…'`, `import '…'`, `import('…')` and `require('…')`. */
const RELATIVE_SPECIFIER =
  /(\bfrom\s*|\bimport\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)(['"])(\.\.?\/[^'"]*|\.\.?)\2/g;

export function buildLibrary(projectRoot) {
  const libDir = resolve(ROOT, projectRoot);
  const manifestPath = join(libDir, 'package.json');
  if (!existsSync(manifestPath)) throw new Error(`${projectRoot}/package.json is missing`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const outDir = resolve(ROOT, 'dist', projectRoot);

  rmSync(outDir, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', join(libDir, 'tsconfig.build.json')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (compiled.status !== 0) throw new Error(`tsc failed for ${projectRoot}`);

  if (manifest.type === 'module') {
    for (const file of listFiles(outDir)) {
      if (file.endsWith('.js') || file.endsWith('.d.ts')) addExtensions(file);
    }
  }
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const readme = join(libDir, 'README.md');
  if (existsSync(readme)) copyFileSync(readme, join(outDir, 'README.md'));
  return outDir;
}

/** Rewrites the relative specifiers of one emitted file to the file that exists beside it. */
export function addExtensions(file) {
  const text = readFileSync(file, 'utf8');
  const dir = dirname(file);
  const declaration = file.endsWith('.d.ts');
  const rewritten = text.replace(RELATIVE_SPECIFIER, (match, lead, quote, specifier) => {
    if (/\.(m?js|json)$/.test(specifier)) return match;
    const candidates = [`${specifier}.js`, `${specifier}/index.js`];
    const found = candidates.find((c) => {
      const target = resolve(dir, declaration ? c.replace(/\.js$/, '.d.ts') : c);
      return existsSync(target) && statSync(target).isFile();
    });
    if (!found) {
      throw new Error(`${relative(ROOT, file)}: cannot resolve "${specifier}" in the build output`);
    }
    return `${lead}${quote}${found}${quote}`;
  });
  if (rewritten !== text) writeFileSync(file, rewritten);
}

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [projectRoot] = process.argv.slice(2);
  if (!projectRoot) {
    console.error('usage: node tools/build/package-lib.mjs <project root, e.g. libs/ws-contracts>');
    process.exit(2);
  }
  try {
    console.log(`built ${relative(ROOT, buildLibrary(projectRoot))}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
