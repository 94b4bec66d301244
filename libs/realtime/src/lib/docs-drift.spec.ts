import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CLIENT_EVENT_NAMES, ErrorCode, SERVER_EVENT_NAMES } from '@herald/ws-contracts';

const DOC = resolve(import.meta.dirname, '../../../../docs/realtime.md');

/** The backticked names in the first column of the table under `heading`. */
function firstColumnOf(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/realtime.md has no "${heading}" section`);
  const rest = markdown.slice(start + heading.length + 2);
  const end = rest.search(/\n#{1,6} /);
  const section = end < 0 ? rest : rest.slice(0, end);
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .slice(1) // header row
    .flatMap((line) => [...line.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
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
    expect(documented).toEqual(
      Object.values(ErrorCode)
        .filter((code) => code !== ErrorCode.OriginNotAllowed) // an HTTP 403, never a code on the wire
        .sort(),
    );
  });
});
