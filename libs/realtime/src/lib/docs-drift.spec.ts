import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CLIENT_EVENT_NAMES,
  ErrorCode,
  HTTP_STATUS_BY_ERROR_CODE,
  SERVER_EVENT_NAMES,
} from '@herald/ws-contracts';

const DOC = resolve(import.meta.dirname, '../../../../docs/realtime.md');

/** The table rows (cells trimmed, header and separator left out) under `heading`. */
function rowsOf(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/realtime.md has no "${heading}" section`);
  const rest = markdown.slice(start + heading.length + 2);
  const end = rest.search(/\n#{1,6} /);
  const section = end < 0 ? rest : rest.slice(0, end);
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .slice(1) // header row
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

/** The backticked names in the first column of the table under `heading`. */
function firstColumnOf(markdown: string, heading: string): string[] {
  return rowsOf(markdown, heading).flatMap(([first]) =>
    [...first.matchAll(/`([^`]+)`/g)].map((m) => m[1]),
  );
}

describe('docs/realtime.md stays in step with the contract', () => {
  const markdown = readFileSync(DOC, 'utf8');

  it('documents exactly the server → client events of the contract', () => {
    expect(firstColumnOf(markdown, '### Server → client').sort()).toEqual(
      [...SERVER_EVENT_NAMES].sort(),
    );
  });

  it('documents exactly the client → server events of the contract', () => {
    expect(
      firstColumnOf(markdown, '### Client → server (each with an acknowledgement)').sort(),
    ).toEqual([...CLIENT_EVENT_NAMES].sort());
  });

  it('documents every error code exactly once', () => {
    const documented = firstColumnOf(markdown, '### Error codes').sort();
    expect(documented).toEqual(Object.values(ErrorCode).sort());
  });

  it('gives every error code the HTTP status of HTTP_STATUS_BY_ERROR_CODE', () => {
    const statuses = Object.fromEntries(
      rowsOf(markdown, '### Error codes').map(([code, status]) => [
        code.replaceAll('`', ''),
        Number(status),
      ]),
    );
    expect(statuses).toEqual(HTTP_STATUS_BY_ERROR_CODE);
  });
});
