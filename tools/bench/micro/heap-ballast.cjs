// Preloaded into the baseline server by `connect-cost.mjs --baseline-require` (and usable
// with `node --require` anywhere): keeps about 22 MB of long-lived objects, closures and
// strings alive, so the baseline's heap at rest is about Herald's (31 MB against 8). What a
// handshake then costs more is what a larger heap alone costs it: the collector marks and
// scans more, nothing else changes.
'use strict';

const kept = [];
for (let i = 0; i < 90_000; i += 1) {
  const item = { i, name: `item-${i}`, tags: [i, i + 1], meta: { k: i } };
  kept.push(item, () => item.i);
}
kept.push('y'.repeat(6_000_000));
globalThis.__heapBallast = kept;
