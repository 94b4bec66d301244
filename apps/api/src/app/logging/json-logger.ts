import { LoggerService, LogLevel } from '@nestjs/common';
import { redact, redactText } from './redact';

const ORDER: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

export interface JsonLoggerOptions {
  level: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  format: 'json' | 'pretty';
  /** Where lines go; stdout by default. Tests pass their own sink. */
  write?: (line: string) => void;
}

/**
 * Structured logs: one JSON object per line (time, level, context, msg, fields), with
 * tokens and keys redacted. `pretty` prints the same fields for humans.
 */
export class JsonLogger implements LoggerService {
  private readonly threshold: number;
  private readonly write: (line: string) => void;

  constructor(private readonly options: JsonLoggerOptions) {
    this.threshold = ORDER.indexOf(options.level);
    this.write = options.write ?? ((line) => process.stdout.write(line + '\n'));
  }

  log(message: unknown, ...rest: unknown[]) {
    this.emit('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.emit('verbose', message, rest);
  }

  private emit(level: LogLevel, message: unknown, rest: unknown[]) {
    if (ORDER.indexOf(level) > this.threshold) return;
    // Nest passes the context as the last string argument, and a stack before it for errors.
    const args = [...rest];
    const context = typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level, context };
    if (message instanceof Error) {
      entry['msg'] = redactText(message.message);
      entry['err'] = redact(message);
    } else if (message !== null && typeof message === 'object') {
      Object.assign(entry, redact(message) as object);
    } else {
      entry['msg'] = redactText(String(message));
    }
    for (const arg of args) {
      if (typeof arg === 'string' && level === 'error') entry['stack'] = redactText(arg);
      else if (arg !== undefined) entry['detail'] = redact(arg);
    }
    this.write(this.options.format === 'json' ? JSON.stringify(entry) : this.pretty(entry));
  }

  private pretty({ time, level, context, msg, ...fields }: Record<string, unknown>) {
    const extra = Object.keys(fields).length ? ' ' + JSON.stringify(fields) : '';
    return `${time} ${String(level).toUpperCase().padEnd(7)} ${context ? `[${context}] ` : ''}${msg ?? ''}${extra}`;
  }
}
