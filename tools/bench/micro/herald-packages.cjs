// Preloaded into the baseline server by `connect-cost.mjs --baseline-require` (and usable
// with `node --require` anywhere): loads every package Herald's build depends on (its
// generated package.json) and keeps them alive, none of them used. The baseline's heap at
// rest then holds what Herald's does of library code — functions, bytecode, object shapes,
// module strings — about 28 MB against 8, so what a handshake costs more is what those cost
// the collector and the inline caches, nothing of Herald's own work. (heap-ballast.cjs
// does the same with plain objects.)
'use strict';

const { existsSync, readFileSync } = require('node:fs');
const { resolve } = require('node:path');

const root = resolve(__dirname, '../../..');
const manifest = resolve(root, 'dist/apps/api/package.json');
if (!existsSync(manifest)) throw new Error(`build the API first: ${manifest} is missing`);
const packages = Object.keys(JSON.parse(readFileSync(manifest, 'utf8')).dependencies ?? {});
// Subpaths the build requires besides the packages' main modules.
const subpaths = [
  'drizzle-orm/pg-core',
  'drizzle-orm/pglite',
  'drizzle-orm/node-postgres',
  'drizzle-orm/pglite/migrator',
  'drizzle-orm/node-postgres/migrator',
];
const loaded = [...packages, ...subpaths].map((name) =>
  require(require.resolve(name, { paths: [root] })),
);
globalThis.__heraldPackages = loaded;
