import { z } from 'zod';
import { ackSchemaFor, errorCodeSchema } from './ack-schemas';
import { ErrorCode, HTTP_STATUS_BY_ERROR_CODE } from './errors';
import {
  CLIENT_EVENT_NAMES,
  EVENT_SUMMARIES,
  SERVER_EVENT_NAMES,
  ServerEvent,
  type ClientEventName,
  type ServerEventName,
} from './events';
import { clientEventSchemas, serverEventSchemas } from './schemas';
import { CONTRACT_VERSION } from './version';

/** Where the document says the gateway listens. */
export interface AsyncApiServerOptions {
  /**
   * Host (and port) clients connect to.
   * @default 'localhost:3000'
   */
  host?: string;
  /**
   * `wss` behind TLS, `ws` otherwise.
   * @default 'ws'
   */
  protocol?: 'ws' | 'wss';
  /**
   * The Socket.IO path (WS_PATH).
   * @default '/socket.io/'
   */
  path?: string;
}

type JsonObject = Record<string, unknown>;

/** The generated document: plain JSON, ready for `JSON.stringify` or an AsyncAPI parser. */
export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  info: { title: string; version: string; description: string };
  defaultContentType: 'application/json';
  servers: JsonObject;
  channels: JsonObject;
  operations: JsonObject;
  components: JsonObject;
  [field: string]: unknown;
}

/** A JSON Schema (draft 7, the base of AsyncAPI's schema format) of a zod schema. */
function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const json = z.toJSONSchema(schema, {
    target: 'draft-7',
    io,
    unrepresentable: 'any',
  }) as JsonObject;
  delete json['$schema'];
  return json;
}

/** Component keys allow `[A-Za-z0-9._-]` only: `notification:new` → `notification.new`. */
const messageKey = (event: string) => event.replace(/:/g, '.');
const ackKey = (event: ClientEventName) => `${messageKey(event)}.ack`;
const ref = (pointer: string) => ({ $ref: pointer });

/** The payload of a server event; the `error` event's `code` names the ErrorCode schema. */
function serverPayloadSchema(event: ServerEventName): JsonObject {
  const payload = jsonSchemaOf(serverEventSchemas[event], 'output');
  if (event === ServerEvent.Error) {
    const properties = payload['properties'] as JsonObject;
    properties['code'] = ref('#/components/schemas/ErrorCode');
  }
  return payload;
}

const ERROR_CODE_DESCRIPTION =
  'Every machine-readable error code Herald sends: in `connect_error.data.code` (handshake), ' +
  'in the `error` event, in negative acknowledgements and in HTTP error bodies. ' +
  'HTTP status of each: ' +
  Object.values(ErrorCode)
    .map((code) => `${code} ${HTTP_STATUS_BY_ERROR_CODE[code]}`)
    .join(', ') +
  '.';

/**
 * The AsyncAPI 3.0 document of the Socket.IO contract, built from the same zod schemas
 * the gateway validates with and the events' one-line docs, so it cannot drift from the
 * code. It describes the gateway's side: it *sends* every server event to the sockets of
 * the user (room `user:{userId}`) and *receives* every client event, answering through
 * the Socket.IO acknowledgement (the operation's `reply`).
 *
 * Pure and framework-free: the API serves it at `/api/asyncapi.json`, and any tool can
 * build it from the contract alone.
 */
export function buildAsyncApiDocument(server: AsyncApiServerOptions = {}): AsyncApiDocument {
  const serverMessages = Object.fromEntries(
    SERVER_EVENT_NAMES.map((event: ServerEventName) => [
      messageKey(event),
      {
        name: event,
        title: event,
        summary: EVENT_SUMMARIES[event],
        payload: serverPayloadSchema(event),
      },
    ]),
  );
  const clientMessages = Object.fromEntries(
    CLIENT_EVENT_NAMES.map((event: ClientEventName) => [
      messageKey(event),
      {
        name: event,
        title: event,
        summary: EVENT_SUMMARIES[event],
        payload: jsonSchemaOf(clientEventSchemas[event], 'input'),
      },
    ]),
  );
  const ackMessages = Object.fromEntries(
    CLIENT_EVENT_NAMES.map((event) => [
      ackKey(event),
      {
        name: `${event} (acknowledgement)`,
        title: `${event} acknowledgement`,
        summary: `Answer to ${event}: { ok: true, ...result } or { ok: false, error: { code, message } }.`,
        payload: jsonSchemaOf(ackSchemaFor(event), 'output'),
      },
    ]),
  );
  const messageRefs = (keys: string[]) =>
    Object.fromEntries(keys.map((key) => [key, ref(`#/components/messages/${key}`)]));

  const sendOperations = Object.fromEntries(
    SERVER_EVENT_NAMES.map((event) => [
      `send.${messageKey(event)}`,
      {
        action: 'send',
        channel: ref('#/channels/socket'),
        summary: EVENT_SUMMARIES[event],
        messages: [ref(`#/channels/socket/messages/${messageKey(event)}`)],
      },
    ]),
  );
  const receiveOperations = Object.fromEntries(
    CLIENT_EVENT_NAMES.map((event) => [
      `receive.${messageKey(event)}`,
      {
        action: 'receive',
        channel: ref('#/channels/socket'),
        summary: EVENT_SUMMARIES[event],
        messages: [ref(`#/channels/socket/messages/${messageKey(event)}`)],
        reply: {
          channel: ref('#/channels/acknowledgement'),
          messages: [ref(`#/channels/acknowledgement/messages/${ackKey(event)}`)],
        },
      },
    ]),
  );

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Herald realtime API',
      version: CONTRACT_VERSION,
      description:
        'Socket.IO 4 events of the Herald notification gateway. Authenticate in the handshake ' +
        'with `auth: { token }` (browsers) or `Authorization: Bearer` (server-side clients); a ' +
        'refused handshake carries its error code in `connect_error.data.code`. Every socket ' +
        `joins its user's room \`user:{userId}\` and first receives \`${ServerEvent.Authenticated}\`. ` +
        'Every client event takes an acknowledgement callback.',
    },
    defaultContentType: 'application/json',
    servers: {
      gateway: {
        host: server.host ?? 'localhost:3000',
        protocol: server.protocol ?? 'ws',
        pathname: server.path ?? '/socket.io/',
        description: 'The Socket.IO endpoint (Engine.IO over WebSocket, or HTTP long-polling).',
        security: [ref('#/components/securitySchemes/jwt')],
      },
    },
    channels: {
      socket: {
        address: '/',
        title: 'Main namespace',
        description:
          "A user's sockets. The server emits to the room `user:{userId}` (every device of the " +
          'user) or to every socket (broadcast); clients cannot join rooms.',
        messages: messageRefs([...Object.keys(serverMessages), ...Object.keys(clientMessages)]),
      },
      acknowledgement: {
        address: null,
        title: 'Acknowledgements',
        description: 'The Socket.IO acknowledgement callback of each client event.',
        messages: messageRefs(Object.keys(ackMessages)),
      },
    },
    operations: { ...sendOperations, ...receiveOperations },
    components: {
      schemas: {
        ErrorCode: {
          ...jsonSchemaOf(errorCodeSchema, 'output'),
          description: ERROR_CODE_DESCRIPTION,
        },
      },
      messages: { ...serverMessages, ...clientMessages, ...ackMessages },
      securitySchemes: {
        jwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            "The user's JWT (`sub` is the user id): `auth: { token }` in the Socket.IO handshake, " +
            'or the `Authorization: Bearer` header.',
        },
      },
    },
  };
}
