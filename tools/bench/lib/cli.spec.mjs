import { describe, expect, it } from 'vitest';
import { cliOptions, gcTraceIsolateOf } from './cli.mjs';

describe('cliOptions', () => {
  const argv = [
    '--rounds',
    '6',
    '--node-option',
    '--a',
    '--node-option',
    '--b',
    '--kind',
    'stored',
  ];
  const { option, options, oneOf, positive } = cliOptions(argv);

  it('reads a value, or the fallback when the option is not given', () => {
    expect(option('rounds')).toBe('6');
    expect(option('storm', '1000')).toBe('1000');
  });

  it('reads every value of a repeated option, even ones that look like flags', () => {
    expect(options('node-option')).toEqual(['--a', '--b']);
    expect(options('missing')).toEqual([]);
  });

  it('checks a choice and a positive number, with the first choice as the default', () => {
    expect(oneOf('kind', ['typed', 'stored'])).toBe('stored');
    expect(oneOf('database', ['postgres', 'pglite'])).toBe('postgres');
    expect(positive('rounds', 4)).toBe(6);
    expect(positive('seconds', 8)).toBe(8);
  });
});

describe('gcTraceIsolateOf', () => {
  it('names the isolate of a --trace-gc-nvp line and nothing else', () => {
    expect(
      gcTraceIsolateOf('[4242:0x5f3a1c0]    1048 ms: pause=3.0 gc=s new_space_survived=1'),
    ).toBe('0x5f3a1c0');
    expect(gcTraceIsolateOf('[4242:0x5f3a1c0] not a collection')).toBeUndefined();
    expect(gcTraceIsolateOf('{"level":40,"msg":"gc=s"}')).toBeUndefined();
  });
});
