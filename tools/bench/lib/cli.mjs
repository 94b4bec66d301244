// Command-line options of the benchmark's measuring tools (`--name value`), read and
// checked the same way by each: a bad value prints what was expected and exits with code 2.

/** Readers of `argv`'s options. */
export function cliOptions(argv = process.argv.slice(2)) {
  /** The names asked for so far: those that take a value, and flags. */
  const valued = new Set();
  const flags = new Set();
  const optional = new Set();
  /** `--name`'s value, or `fallback` when it is not given. */
  const option = (name, fallback) => {
    valued.add(name);
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  /** Whether the value-less `--name` is given (e.g. `--no-memory-readings`). */
  const flag = (name) => {
    flags.add(name);
    return argv.includes(`--${name}`);
  };
  /** `--name`'s value when one follows it, for an option whose value may be left out. */
  const optionalValue = (name) => {
    optional.add(name);
    const i = argv.indexOf(`--${name}`);
    const next = i >= 0 ? argv[i + 1] : undefined;
    return next !== undefined && !next.startsWith('--') ? next : undefined;
  };
  /** Every value of a repeatable `--name`. */
  const options = (name) => {
    valued.add(name);
    return argv.flatMap((arg, i) => (arg === `--${name}` ? [argv[i + 1]] : []));
  };
  const usage = (message) => {
    process.stderr.write(`${message}\n`);
    process.exit(2);
  };
  /**
   * Exits with the usage error when `argv` holds anything but the options asked for so far
   * (call it once every option was read): a misspelt option, or `--name=value`, would
   * otherwise be ignored and the tool measure something else than asked.
   */
  const refuseUnknown = () => {
    for (let i = 0; i < argv.length; i += 1) {
      const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
      if (name !== undefined && valued.has(name)) {
        if (i + 1 === argv.length) return usage(`--${name} needs a value`);
        i += 1;
      } else if (name !== undefined && optional.has(name)) {
        if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) i += 1;
      } else if (name === undefined || !flags.has(name)) {
        const known = [...valued, ...optional, ...flags].map((n) => `--${n}`).join(' ');
        return usage(`unknown argument ${argv[i]} (options: ${known})`);
      }
    }
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
  return { option, flag, optionalValue, options, oneOf, positive, usage, refuseUnknown };
}
