import type { DestinationStream } from 'pino';

/**
 * LOG_FORMAT=pretty: the same lines for a developer's terminal,
 * `time LEVEL [context] msg {fields}`. Written here rather than with pino-pretty, which
 * would be one more dependency (and worker thread) for a format used only in development.
 */
export function prettyStream(out: { write(text: string): unknown }): DestinationStream {
  return {
    write(line: string) {
      const { time, level, context, msg, ...fields } = JSON.parse(line) as Record<string, unknown>;
      const extra = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
      const tag = context ? `[${String(context)}] ` : '';
      out.write(
        `${String(time)} ${String(level).toUpperCase().padEnd(7)} ${tag}${String(msg ?? '')}${extra}\n`,
      );
    },
  };
}
