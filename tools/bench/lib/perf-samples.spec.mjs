import { describe, expect, it } from 'vitest';
import { parsePerfScript, roleOf, tally, workOf } from './perf-samples.mjs';

// `perf script -F tid,ip,sym,dso` as perf prints it: a thread id, then frames innermost first.
const SCRIPT = `
13997 
\t         1dbd638 v8::internal::compiler::GraphReducer::Reduce (/usr/bin/node)
\t          bd54a1 v8::internal::OptimizingCompileDispatcher::CompileNext (/usr/bin/node)
\t          932ce1 node::(anonymous namespace)::PlatformWorkerThread (/usr/bin/node)

13997 
\t         2004bf5 v8::internal::wasm::CompilationStateImpl::ExecuteCompilationUnits (/usr/bin/node)
\t          932ce1 node::(anonymous namespace)::PlatformWorkerThread (/usr/bin/node)

13990 
\t          1c2c40 Builtins_LoadIC (/usr/bin/node)
\t    7f3c00a1b2c3 [unknown] (/tmp/perf-13990.map)

13990 
\tffffffff8161b4a3 tcp_sendmsg ([kernel.kallsyms])
\t           96c98 __libc_write (/usr/lib/x86_64-linux-gnu/libc.so.6)

13990 
\t          a1b2c3 v8::internal::Scavenger::ScavengeObject (/usr/bin/node)
\t          a1b2c4 v8::internal::Heap::CollectGarbage (/usr/bin/node)

14001 
\t    7f3c00a1b2c3 [unknown] (/tmp/perf-13990.map)
`;

describe('perf samples of a storm', () => {
  const samples = parsePerfScript(SCRIPT);

  it('reads one sample per thread id line with its frames, innermost first', () => {
    expect(samples.map((s) => s.tid)).toEqual([13997, 13997, 13990, 13990, 13990, 14001]);
    expect(samples[0].frames[0]).toBe(
      'v8::internal::compiler::GraphReducer::Reduce (/usr/bin/node)',
    );
    expect(samples[3].frames).toHaveLength(2);
  });

  it("tells the main thread, V8's helpers and other threads apart", () => {
    expect(samples.map((s) => roleOf(s, 13990))).toEqual([
      "V8's helper threads",
      "V8's helper threads",
      'main thread',
      'main thread',
      'main thread',
      'other threads',
    ]);
  });

  it('names what a helper compiled and what the main thread ran', () => {
    const work = samples.map((s) => workOf(roleOf(s, 13990), s.frames));
    expect(work).toEqual([
      'compiling JavaScript (TurboFan)',
      'compiling WebAssembly',
      'inline-cache handlers (builtins)',
      'kernel (sockets, memory)',
      'garbage collection',
      'generated code (compiled JavaScript or WebAssembly)',
    ]);
  });

  it('counts samples by role and by work', () => {
    const roles = tally(samples, 13990);
    expect(roles['main thread'].total).toBe(3);
    expect(roles["V8's helper threads"].work.get('compiling WebAssembly')).toBe(1);
    expect(roles['other threads'].total).toBe(1);
  });
});
