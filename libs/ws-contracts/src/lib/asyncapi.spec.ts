import {
  DiagnosticSeverity,
  Parser,
  type AsyncAPIDocumentInterface,
  type Diagnostic,
} from '@asyncapi/parser';
import { buildAsyncApiDocument } from './asyncapi';
import { ErrorCode } from './errors';
import { CLIENT_EVENT_NAMES, EVENT_SUMMARIES, SERVER_EVENT_NAMES } from './events';

describe('buildAsyncApiDocument', () => {
  const document = buildAsyncApiDocument({ host: 'herald.example.com', protocol: 'wss' });
  let parsed: AsyncAPIDocumentInterface | undefined;
  let diagnostics: Diagnostic[];

  // The parser loads its rule sets on first use: seconds on a busy machine.
  beforeAll(async () => {
    ({ document: parsed, diagnostics } = await new Parser().parse(document));
  }, 60_000);

  it('is a valid AsyncAPI 3 document for the official parser: no errors, no warnings', () => {
    const problems = diagnostics.filter((d) => d.severity <= DiagnosticSeverity.Warning);
    expect(problems.map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(parsed?.version()).toBe('3.0.0');
  });

  it('lists every event of the contract with its summary and payload schema', () => {
    const messages = new Map(
      parsed
        ?.components()
        .messages()
        .all()
        .map((m) => [m.name(), m]) ?? [],
    );
    for (const event of [...SERVER_EVENT_NAMES, ...CLIENT_EVENT_NAMES]) {
      const message = messages.get(event);
      expect(message, event).toBeDefined();
      expect(message?.summary()).toBe(EVENT_SUMMARIES[event]);
      expect(message?.payload()?.type(), event).toBe('object');
    }
    const newNotification = messages.get('notification:new')?.payload()?.json() as {
      required: string[];
      properties: Record<string, { required?: string[] }>;
    };
    expect(newNotification.required).toEqual(['notification', 'timestamp']);
    expect(newNotification.properties['notification']?.required).toEqual(
      expect.arrayContaining(['id', 'userId', 'title', 'message', 'createdAt', 'readAt']),
    );
  });

  it('has the gateway send server events and receive client events, answering each in its ack', () => {
    const operations = parsed?.operations().all() ?? [];
    const sent = operations.filter((o) => o.isSend()).flatMap((o) => o.messages().all());
    const received = operations.filter((o) => o.isReceive());
    expect(sent.map((m) => m.name()).sort()).toEqual([...SERVER_EVENT_NAMES].sort());
    expect(
      received
        .flatMap((o) =>
          o
            .messages()
            .all()
            .map((m) => m.name()),
        )
        .sort(),
    ).toEqual([...CLIENT_EVENT_NAMES].sort());
    for (const operation of received) {
      const ack = operation.reply()?.messages().all()[0]?.payload()?.json() as {
        oneOf?: { properties: { ok: { const: boolean } } }[];
      };
      expect(ack.oneOf?.map((branch) => branch.properties.ok.const)).toEqual([true, false]);
    }
  });

  it('lists every error code, and the error event and negative acks refer to them', () => {
    const components = document['components'] as {
      schemas: { ErrorCode: { enum: string[]; description: string } };
      messages: Record<string, { payload: { properties: Record<string, unknown> } }>;
    };
    const codes = Object.values(ErrorCode);
    expect([...components.schemas.ErrorCode.enum].sort()).toEqual([...codes].sort());
    for (const code of codes) expect(components.schemas.ErrorCode.description).toContain(code);
    expect(components.messages['error']?.payload.properties['code']).toEqual({
      $ref: '#/components/schemas/ErrorCode',
    });
  });

  it('names the server it was given, with the Socket.IO path', () => {
    expect(document['servers']).toMatchObject({
      gateway: { host: 'herald.example.com', protocol: 'wss', pathname: '/socket.io/' },
    });
    expect(buildAsyncApiDocument({ path: '/live/' })['servers']).toMatchObject({
      gateway: { host: 'localhost:3000', protocol: 'ws', pathname: '/live/' },
    });
  });
});
