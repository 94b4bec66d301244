// Command-line options of the benchmark's measuring tools (`--name value`), read and
// checked the same way by each: a bad value prints what was expected and exits with code 2.

/** Readers of `argv`'s options. */
export function cliOptions(argv = process.argv.slice(2)) {
  /** `--name`'s value, or `fallback` when it is not given. */
  const option = (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  /** Whether the value-less `--name` is given (e.g. `--no-memory-readings`). */
  const flag = (name) => argv.includes(`--${name}`);
  /** Every value of a repeatable `--name`. */
  const options = (name) => argv.flatMap((arg, i) => (arg === `--${name}` ? [argv[i + 1]] : []));
  const usage = (message) => {
    process.stderr.write(`${message}\n`);
    process.exit(2);
  };
  /** `--name`'s value when it is one of `allowed` (the first is the default). */
  const oneOf = (name, allowed) => {
    const value = option(name, allowed[0]);
    if (allowed.includes(value)) return value;
    return usage(`--${name} must be one of ${allowed.join(', ')} (got ${value})`);
  };
  /** `--name`'s value as a positive number. */
  const positive = (name, fallback) => {
    const value = Number(option(name, fallback));
    if (Number.isFinite(value) && value > 0) return value;
    return usage(`--${name} must be a positive number (got ${option(name)})`);
  };
  return { option, flag, options, oneOf, positive, usage };
}
