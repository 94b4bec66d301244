import { describe, expect, it } from 'vitest';
import { cliOptions } from './cli.mjs';

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
    '--no-memory-readings',
  ];
  const { option, flag, options, oneOf, positive } = cliOptions(argv);

  it('reads a value, or the fallback when the option is not given', () => {
    expect(option('rounds')).toBe('6');
    expect(option('storm', '1000')).toBe('1000');
  });

  it('tells whether a flag without a value is given', () => {
    expect(flag('no-memory-readings')).toBe(true);
    expect(flag('build')).toBe(false);
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
