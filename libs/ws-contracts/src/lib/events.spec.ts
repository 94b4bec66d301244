import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { clientEventResultSchemas } from './ack-schemas';
import {
  CLIENT_EVENT_NAMES,
  ClientEvent,
  EVENT_SUMMARIES,
  SERVER_EVENT_NAMES,
  ServerEvent,
} from './events';
import type { ClientEventResults } from './payloads';

/** `{ 'notification:new': 'its doc comment', ... }` read from the source of events.ts. */
function docCommentsOfEvents(): Record<string, string> {
  const source = readFileSync(resolve(import.meta.dirname, 'events.ts'), 'utf8');
  const entries = [...source.matchAll(/\/\*\* (.+?) \*\/\n\s+\w+: '([^']+)',/g)];
  return Object.fromEntries(entries.map(([, doc, event]) => [event, doc]));
}

describe('the events of the contract', () => {
  it('each have a one-line doc comment, and EVENT_SUMMARIES repeats it word for word', () => {
    const docs = docCommentsOfEvents();
    expect(Object.keys(docs).sort()).toEqual([...SERVER_EVENT_NAMES, ...CLIENT_EVENT_NAMES].sort());
    expect(docs).toEqual(EVENT_SUMMARIES);
  });

  it('have distinct names across both directions', () => {
    const names = [...Object.values(ServerEvent), ...Object.values(ClientEvent)];
    expect(new Set(names).size).toBe(names.length);
  });

  it('describe each acknowledgement with a schema of exactly ClientEventResults', () => {
    type Results = {
      -readonly [E in keyof typeof clientEventResultSchemas]: z.infer<
        (typeof clientEventResultSchemas)[E]
      >;
    };
    expectTypeOf<Results>().toEqualTypeOf<ClientEventResults>();
    expect(Object.keys(clientEventResultSchemas).sort()).toEqual([...CLIENT_EVENT_NAMES].sort());
  });
});
