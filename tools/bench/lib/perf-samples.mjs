// Reads `perf script -F tid,ip,sym,dso` output (call stacks sampled by `perf record -g`) and
// sorts each sample by the thread it was taken on and by what that thread was doing, so
// that two servers' storms can be compared where the V8 CPU profile cannot look: V8's
// helper threads (compilers, the collector's concurrent work) and worker threads.

/** One sample per block: a line with the thread id, then its frames, innermost first. */
export function parsePerfScript(text) {
  const samples = [];
  let current;
  for (const line of text.split('\n')) {
    const header = /^\s*(\d+)\s*$/.exec(line);
    if (header) {
      current = { tid: Number(header[1]), frames: [] };
      samples.push(current);
    } else if (current && line.trim()) {
      // "<ip> <symbol> (<dso>)": the symbol may hold spaces, the dso is in parentheses.
      const frame = /^\s*[0-9a-f]+\s+(.*)$/.exec(line);
      current.frames.push((frame ? frame[1] : line).trim());
    }
  }
  return samples;
}

/** The main thread, V8's platform threads (Node's helpers), or any other (workers, libuv). */
export function roleOf(sample, pid) {
  if (sample.tid === pid) return 'main thread';
  return sample.frames.some((f) => f.includes('PlatformWorkerThread'))
    ? "V8's helper threads"
    : 'other threads';
}

const HELPER_WORK = [
  [/OptimizingCompileDispatcher|OptimizedCompilationJob/, 'compiling JavaScript (TurboFan)'],
  [/wasm::/, 'compiling WebAssembly'],
  [/ConcurrentMarking/, 'concurrent marking'],
  [/Sweeper/, 'sweeping'],
  [/Scaveng/, 'scavenging (parallel)'],
  [/Evacuat|PointersUpdating|Compactor/, 'compacting (parallel)'],
  [/Baseline|Sparkplug/, 'compiling JavaScript (Sparkplug)'],
];
const GC_ON_THREAD =
  /Heap::CollectGarbage|Scavenger|MarkCompactCollector|IncrementalMarking::|GCTracer|PerformGarbageCollection/;
const INLINE_CACHE = /Builtins_(Keyed)?(Load|Store|Define)\w*IC|Builtins_(Load|Store)GlobalIC/;

/** What the sampled thread was doing, judged from its whole stack and its innermost frame. */
export function workOf(role, frames) {
  const stack = frames.join('\n');
  if (role === "V8's helper threads")
    return HELPER_WORK.find(([pattern]) => pattern.test(stack))?.[1] ?? 'other';
  if (GC_ON_THREAD.test(stack)) return 'garbage collection';
  const top = frames[0] ?? '';
  if (top.includes('[kernel')) return 'kernel (sockets, memory)';
  if (top.includes('wasm-function')) return 'WebAssembly code';
  if (INLINE_CACHE.test(top)) return 'inline-cache handlers (builtins)';
  if (/Builtins_\w*(Baseline|Interpreter|Handler)/.test(top))
    return 'unoptimized code (interpreter, Sparkplug)';
  if (top.includes('Builtins_')) return 'other builtins';
  // Without `--perf-basic-prof` perf cannot name generated code: JavaScript that V8 compiled,
  // or WebAssembly (a PGlite worker's database engine).
  if (/\[unknown\]|JS:|perf-\d+\.map|\[JIT\]/.test(top))
    return 'generated code (compiled JavaScript or WebAssembly)';
  if (/libc|libstdc|libuv|libssl|libcrypto/.test(top)) return 'libc, libuv, OpenSSL';
  return "V8's and Node's C++ (runtime, IC misses, parsing)";
}

/** Sample counts by role, then by work: `{ [role]: { total, work: Map(work → count) } }`. */
export function tally(samples, pid) {
  const roles = {};
  for (const sample of samples) {
    const role = roleOf(sample, pid);
    const entry = (roles[role] ??= { total: 0, work: new Map() });
    const work = workOf(role, sample.frames);
    entry.total += 1;
    entry.work.set(work, (entry.work.get(work) ?? 0) + 1);
  }
  return roles;
}
