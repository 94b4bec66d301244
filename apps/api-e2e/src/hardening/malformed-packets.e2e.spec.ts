import { type ApiProcess, mintToken, startApi } from '../../../../tools/testing/index.mjs';
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '@herald/ws-contracts';
import { Bystander, inboxOf, service, uniqueUser } from './hardening-harness';
import { RawSocket } from './raw-socket';

/**
 * Malformed Engine.IO / Socket.IO traffic over a raw websocket. A broken frame may close
 * that one connection (the protocol cannot resynchronise), a well-framed but invalid event
 * gets an error acknowledgement; the server and every other user carry on.
 */
describe('malformed Engine.IO / Socket.IO packets over a raw websocket', () => {
  let api: ApiProcess;
  let bystander: Bystander;
  const raws: RawSocket[] = [];

  beforeAll(async () => {
    api = await startApi({ env: { WS_MAX_MESSAGE_BYTES: '100000' } });
    bystander = await Bystander.connect(api);
  });
  afterEach(async () => {
    raws.splice(0).forEach((r) => r.close());
    await bystander.assertUnaffected(api);
  });
  afterAll(async () => {
    bystander?.close();
    await api?.stop();
  });

  const open = async () => {
    const raw = await RawSocket.open(api.url);
    raws.push(raw);
    return raw;
  };
  const authenticated = async (userId = uniqueUser('raw')) => {
    const raw = await RawSocket.authenticated(api.url, await mintToken(userId));
    raws.push(raw);
    return raw;
  };

  it.each([
    ['a garbage text frame', 'hello, server'],
    ['an unknown Engine.IO packet type', '9{"x":1}'],
    ['an empty frame', ''],
    ['a lone binary frame', Buffer.from([0xde, 0xad, 0xbe, 0xef])],
  ])('closes the connection on %s before the Socket.IO handshake', async (_name, frame) => {
    const raw = await open();
    raw.send(frame);
    // engine.io treats an undecodable packet as a transport error and closes the session.
    await raw.expectClosed();
  });

  it.each([
    ['an unknown Socket.IO packet type', '49[]'],
    ['invalid JSON in an event', '42["notification:mark_all_read",{'],
    ['an event that is not an array', '42{"event":"notification:mark_all_read"}'],
    ['a reserved event name ("disconnect")', '42["disconnect","forged"]'],
    [
      'a binary event claiming too many attachments',
      '4599-["notification:mark_read",{"_placeholder":true,"num":0}]',
    ],
    ['a binary frame nobody announced', Buffer.from('unexpected')],
  ])('closes an authenticated connection on %s', async (_name, frame) => {
    const raw = await authenticated();
    raw.send(frame);
    await raw.expectClosed();
  });

  it('closes the connection on a forged attachment placeholder pointing past the attachments', async () => {
    const raw = await authenticated();
    raw.send('451-7["notification:mark_read",{"_placeholder":true,"num":5}]');
    raw.send(Buffer.from([1, 2, 3]));
    await raw.expectClosed();
  });

  it('refuses a CONNECT whose auth is not an object, without authenticating', async () => {
    const raw = await open();
    raw.send('40"just-a-string"');
    await raw.expectClosed();
    expect(
      raw.frames.some((f) => typeof f === 'string' && f.startsWith('42["authenticated"')),
    ).toBe(false);
  });

  it('refuses a CONNECT to a namespace nobody serves', async () => {
    const raw = await open();
    raw.send(`40/admin,${JSON.stringify({ token: await mintToken('raw-admin') })}`);
    const refusal = (await raw.waitFor(
      (f) => typeof f === 'string' && f.startsWith('44/admin,'),
    )) as string;
    expect(refusal).toMatch(/Invalid namespace/);
  });

  it('ignores events sent before the Socket.IO CONNECT (no ack, nothing changes)', async () => {
    const userId = uniqueUser('raw-early');
    await service(api, 'POST', '/api/notifications', { userId, title: 'kept', message: 'unread' });
    const raw = await open();
    raw.send('421["notification:mark_all_read",{}]');
    await new Promise((r) => setTimeout(r, 300));
    expect(raw.frames.some((f) => typeof f === 'string' && f.startsWith('431'))).toBe(false);
    expect((await inboxOf(api, userId)).map((n) => n.readAt)).toEqual([null]);
  });

  it('answers a binary attachment where JSON is expected with INVALID_PAYLOAD', async () => {
    const raw = await authenticated();
    raw.send('451-1["notification:mark_read",{"_placeholder":true,"num":0}]');
    raw.send(Buffer.from(randomUUID()));
    expect(await raw.ack(1)).toEqual([
      { ok: false, error: { code: ErrorCode.InvalidPayload, message: expect.any(String) } },
    ]);
    expect(raw.isOpen).toBe(true);
  });

  it('answers a binary attachment inside an otherwise valid payload with INVALID_PAYLOAD', async () => {
    const raw = await authenticated();
    raw.send('451-2["notification:mark_read",{"notificationId":{"_placeholder":true,"num":0}}]');
    raw.send(Buffer.from(randomUUID()));
    expect(await raw.ack(2)).toMatchObject([
      { ok: false, error: { code: ErrorCode.InvalidPayload } },
    ]);
  });

  it('answers a numeric event name with UNKNOWN_EVENT', async () => {
    const raw = await authenticated();
    raw.send('423[42,{}]');
    expect(await raw.ack(3)).toMatchObject([
      { ok: false, error: { code: ErrorCode.UnknownEvent } },
    ]);
    expect(raw.isOpen).toBe(true);
  });

  it('survives deeply nested JSON (40,000 levels) in an event payload', async () => {
    const raw = await authenticated();
    const depth = 40_000;
    raw.send(`424["notification:mark_read",${'['.repeat(depth)}${']'.repeat(depth)}]`);
    // Either the parser refuses it (connection closed) or the schema does (error ack).
    const outcome = await Promise.race([
      raw.ack(4).then((ack) => ({ ack })),
      raw.closed.then((closed) => ({ closed })),
    ]);
    if ('ack' in outcome)
      expect(outcome.ack).toMatchObject([{ ok: false, error: { code: ErrorCode.InvalidPayload } }]);
  });

  it('answers prototype-pollution keys with INVALID_PAYLOAD', async () => {
    const raw = await authenticated();
    raw.send(
      `425["notification:mark_read",{"__proto__":{"admin":true},"notificationId":"${randomUUID()}"}]`,
    );
    raw.send('426["notification:mark_all_read",{"constructor":{"prototype":{"admin":true}}}]');
    expect(await raw.ack(5)).toMatchObject([
      { ok: false, error: { code: expect.stringMatching(/INVALID_PAYLOAD|NOT_FOUND/) } },
    ]);
    expect(await raw.ack(6)).toMatchObject([
      { ok: false, error: { code: ErrorCode.InvalidPayload } },
    ]);
  });

  it('answers a 90 kB payload (under the frame limit) with INVALID_PAYLOAD', async () => {
    const raw = await authenticated();
    raw.send(`427["notification:mark_read",{"notificationId":"${'x'.repeat(90_000)}"}]`);
    expect(await raw.ack(7)).toMatchObject([
      { ok: false, error: { code: ErrorCode.InvalidPayload } },
    ]);
  });

  it('closes only the connection that sends a frame over WS_MAX_MESSAGE_BYTES', async () => {
    const raw = await authenticated();
    const neighbour = await authenticated();
    raw.send(`428["notification:mark_all_read",{"pad":"${'x'.repeat(150_000)}"}]`);
    const closed = await raw.expectClosed();
    expect(closed.code).toBe(1009); // "message too big"
    neighbour.send('429["notification:mark_all_read",{}]');
    expect(await neighbour.ack(9)).toMatchObject([{ ok: true }]);
  });

  it('closes an oversized binary attachment too', async () => {
    const raw = await authenticated();
    raw.send('451-10["notification:mark_read",{"_placeholder":true,"num":0}]');
    raw.send(Buffer.alloc(200_000, 1));
    await raw.expectClosed();
  });

  describe('over HTTP long-polling', () => {
    const polling = (query: string, init?: RequestInit) =>
      fetch(`${api.url}/socket.io/?${query}`, init);

    it.each([
      ['an unknown session id', 'EIO=4&transport=polling&sid=not-a-session'],
      ['an unknown transport', 'EIO=4&transport=carrier-pigeon'],
      ['Engine.IO protocol 3', 'EIO=3&transport=polling'],
      ['no protocol version', 'transport=polling'],
    ])('answers %s with 400', async (_name, query) => {
      const res = await polling(query);
      expect(res.status).toBe(400);
      await res.text();
    });

    it('answers a polling POST over WS_MAX_MESSAGE_BYTES with 413 and closes that session', async () => {
      const open = await (await polling('EIO=4&transport=polling')).text();
      const { sid } = JSON.parse(open.slice(1)) as { sid: string };
      const res = await polling(`EIO=4&transport=polling&sid=${sid}`, {
        method: 'POST',
        body: `4${'x'.repeat(150_000)}`,
      });
      expect(res.status).toBe(413);
      await res.text();
      const after = await polling(`EIO=4&transport=polling&sid=${sid}`);
      expect(after.status).toBe(400);
      await after.text();
    });
  });
});
