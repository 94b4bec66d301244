// The main isolate's collections, read from a server started with `--trace-gc-nvp` (one line
// per collection, `[pid:isolate] … gc=s … pause=… new_space_survived=…`): the measuring tools
// count what the collector did during a window of their own choosing.

/** The isolate a `--trace-gc-nvp` line is about (`[pid:0x…]`), or undefined for other lines. */
export function isolateOf(line) {
  return line.includes('gc=') ? /^\[\d+:(0x[0-9a-f]+)\]/.exec(line)?.[1] : undefined;
}

/**
 * Collects the main isolate's trace lines from `server`'s output between `start()` and
 * `stop()` (which answers them). The main isolate is the one that collected first, before any
 * worker thread started: `server` must keep its output from the start (`maxLogLines`).
 */
export function watchMainIsolateGc(server) {
  const lines = [];
  let partial = '';
  let mainIsolate;
  const onOutput = (chunk) => {
    const received = (partial + chunk.toString('utf8')).split('\n');
    partial = received.pop() ?? '';
    mainIsolate ??= isolateOf(server.logs.find((line) => isolateOf(line)) ?? '');
    for (const line of received)
      if (mainIsolate && isolateOf(line) === mainIsolate) lines.push(line);
  };
  return {
    start() {
      server.child.stdout?.on('data', onOutput);
    },
    stop() {
      server.child.stdout?.off('data', onOutput);
      return lines;
    },
  };
}

/** What the collector did in `lines`: scavenges (count, pauses, survivors) and full collections. */
export function gcSummary(lines) {
  const scavenges = [];
  let full = 0;
  let pauseMs = 0;
  for (const line of lines) {
    const gc = /\bgc=(\w+)/.exec(line)?.[1];
    if (!gc) continue;
    const pause = Number(/\bpause=([\d.]+)/.exec(line)?.[1] ?? 0);
    pauseMs += pause;
    if (gc === 's')
      scavenges.push({
        pause,
        survived: Number(/\bnew_space_survived=(\d+)/.exec(line)?.[1] ?? 0),
      });
    else full += 1;
  }
  const sum = (values) => values.reduce((a, b) => a + b, 0);
  const count = scavenges.length;
  return {
    scavenges: count,
    full,
    /** Every collection's pause, scavenges and full ones. */
    pauseMs,
    scavengePauseMeanMs: sum(scavenges.map((s) => s.pause)) / (count || 1),
    survivedMeanKb: sum(scavenges.map((s) => s.survived)) / (count || 1) / 1024,
    survivedMb: sum(scavenges.map((s) => s.survived)) / 2 ** 20,
  };
}
