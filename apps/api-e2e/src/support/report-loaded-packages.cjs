// Preloaded into an API process (`node --require`): when it exits, writes the npm packages
// it loaded, one per line, to the file named by HERALD_LOADED_PACKAGES_FILE.
const { writeFileSync } = require('node:fs');

process.once('exit', () => {
  const packages = new Set();
  for (const path of Object.keys(require.cache)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(
      path.slice(path.lastIndexOf('node_modules/')),
    );
    if (match) packages.add(match[1]);
  }
  writeFileSync(process.env.HERALD_LOADED_PACKAGES_FILE, [...packages].sort().join('\n'));
});
