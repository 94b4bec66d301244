import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { gcSummary, isolateOf, watchMainIsolateGc } from './gc-trace.mjs';

const MAIN = '[4242:0x5f3a1c0]';
const WORKER = '[4242:0x7e00000]';
const scavenge = (isolate, pause, survived) =>
  `${isolate}    1048 ms: pause=${pause} mutator=1.0 gc=s reduce_memory=0 new_space_survived=${survived}`;
const markCompact = (isolate, pause) =>
  `${isolate}    2048 ms: pause=${pause} gc=mc reduce_memory=0`;

describe('isolateOf', () => {
  it('names the isolate of a --trace-gc-nvp line and nothing else', () => {
    expect(isolateOf(scavenge(MAIN, 1, 1))).toBe('0x5f3a1c0');
    expect(isolateOf(`${MAIN} not a collection`)).toBeUndefined();
    expect(isolateOf('{"level":40,"msg":"gc=s"}')).toBeUndefined();
  });
});

describe('watchMainIsolateGc', () => {
  it("keeps the first collector's lines between start and stop, split across chunks", () => {
    const stdout = new EventEmitter();
    const server = { logs: [scavenge(MAIN, 1, 1), scavenge(WORKER, 1, 1)], child: { stdout } };
    const watch = watchMainIsolateGc(server);
    stdout.emit('data', Buffer.from(`${scavenge(MAIN, 9, 9)}\n`));
    watch.start();
    const line = scavenge(MAIN, 2, 2048);
    stdout.emit('data', Buffer.from(`${scavenge(WORKER, 3, 3)}\n${line.slice(0, 10)}`));
    stdout.emit('data', Buffer.from(`${line.slice(10)}\n{"msg":"a log line"}\n`));
    const lines = watch.stop();
    stdout.emit('data', Buffer.from(`${scavenge(MAIN, 4, 4)}\n`));
    expect(lines).toEqual([line]);
  });
});

describe('gcSummary', () => {
  it('counts scavenges and full collections, their pauses and what survived', () => {
    const summary = gcSummary([
      scavenge(MAIN, 2, 1024),
      scavenge(MAIN, 4, 3072),
      markCompact(MAIN, 10),
      'not a collection',
    ]);
    expect(summary).toEqual({
      scavenges: 2,
      full: 1,
      pauseMs: 16,
      scavengePauseMeanMs: 3,
      survivedMeanKb: 2,
      survivedMb: 4096 / 2 ** 20,
    });
  });

  it('reads an empty window as nothing done', () => {
    expect(gcSummary([])).toMatchObject({
      scavenges: 0,
      full: 0,
      pauseMs: 0,
      scavengePauseMeanMs: 0,
    });
  });
});
