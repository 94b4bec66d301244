import { describe, expect, it, vi } from 'vitest';
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

  describe('refuseUnknown', () => {
    /** Runs `read` on `args`, then refuseUnknown; what usage() was called with, if anything. */
    function refusal(args, read) {
      const exit = vi.spyOn(process, 'exit').mockImplementation(() => {
        throw new Error('exit');
      });
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        const cli = cliOptions(args);
        read(cli);
        cli.refuseUnknown();
        return undefined;
      } catch {
        return String(stderr.mock.calls[0]?.[0]).trim();
      } finally {
        exit.mockRestore();
        stderr.mockRestore();
      }
    }

    it('lets through the options that were read, values that look like flags included', () => {
      expect(refusal(argv, readAll)).toBeUndefined();
    });

    it('refuses a misspelt option, a stray value and the --name=value form', () => {
      expect(refusal(['--round', '6'], readAll)).toMatch(/^unknown argument --round /);
      expect(refusal(['--rounds', '6', '7'], readAll)).toMatch(/^unknown argument 7 /);
      expect(refusal(['--node-option=--a'], readAll)).toMatch(
        /^unknown argument --node-option=--a /,
      );
    });

    it('refuses an option that takes a value when none follows', () => {
      expect(refusal(['--storm'], readAll)).toBe('--storm needs a value');
    });

    it('takes an optional value when one follows, and the option alone as well', () => {
      const readCompare = (cli) => cli.optionalValue('compare');
      expect(refusal(['--compare', 'previous.json'], readCompare)).toBeUndefined();
      expect(refusal(['--compare'], readCompare)).toBeUndefined();
      expect(cliOptions(['--compare', '--quick']).optionalValue('compare')).toBeUndefined();
      expect(cliOptions(['--compare', 'a.json']).optionalValue('compare')).toBe('a.json');
      expect(refusal(['--compare', 'a.json', 'b.json'], readCompare)).toMatch(
        /^unknown argument b\.json /,
      );
    });

    function readAll({ option, flag, options, oneOf, positive }) {
      positive('rounds', 4);
      options('node-option');
      oneOf('kind', ['typed', 'stored']);
      option('storm');
      flag('no-memory-readings');
    }
  });
});
