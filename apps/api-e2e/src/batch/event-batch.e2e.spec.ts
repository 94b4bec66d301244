import { LIMITS, ErrorCode } from '@herald/ws-contracts';
import { mintToken, TEST_API_KEY } from '../../../../tools/testing/index.mjs';
import { inject } from 'vitest';
import { Device, uniqueUser } from '../inbox/inbox-harness';
import { service, startRealtimeApi } from '../realtime/realtime-harness';

interface XpGained {
  amount: number;
  source: string;
  totalXp: number;
}

/** One item of the batch: `xp:gained` whose `totalXp` numbers it, so order can be read back. */
const xp = (userId: string, seq: number, source = 'batch') => ({
  userId,
  event: 'xp:gained',
  payload: { amount: 1, source, totalXp: seq },
});

/**
 * `POST /api/realtime/events` on one process: many typed events in one request, each to
 * every device of its user in request order, validated all or nothing.
 */
describe('POST /api/realtime/events', () => {
  let api: Awaited<ReturnType<typeof startRealtimeApi>>;
  const devices: Device[] = [];

  beforeAll(async () => {
    api = await startRealtimeApi(inject('runId'));
  });
  afterEach(() => {
    for (const device of devices.splice(0)) device.close();
  });
  afterAll(async () => {
    await api?.stopAll();
  });

  async function device(userId: string): Promise<Device> {
    const opened = await Device.connect(api.url, await mintToken(userId));
    devices.push(opened);
    return opened;
  }

  const post = (body: unknown, headers?: Record<string, string>) =>
    service(api.url, 'POST', '/api/realtime/events', body, headers);

  /** The `totalXp` of every `xp:gained` from `source` the device received, in order. */
  const sequence = (d: Device, source = 'batch') =>
    d.received<XpGained>('xp:gained', (p) => p.source === source).map((p) => p.totalXp);

  it('delivers every item to every device of its user, in request order, across mixed users', async () => {
    const ana = uniqueUser('ev-ana');
    const bruno = uniqueUser('ev-bruno');
    const [anaPhone, anaLaptop, brunoPhone] = [
      await device(ana),
      await device(ana),
      await device(bruno),
    ];
    const events = Array.from({ length: 60 }, (_, i) => xp(i % 3 === 0 ? bruno : ana, i + 1));

    const res = await post({ events });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(60);

    const anaSeq = events.filter((e) => e.userId === ana).map((e) => e.payload.totalXp);
    const brunoSeq = events.filter((e) => e.userId === bruno).map((e) => e.payload.totalXp);
    for (const [d, expected] of [
      [anaPhone, anaSeq],
      [anaLaptop, anaSeq],
      [brunoPhone, brunoSeq],
    ] as const) {
      await d.waitFor<XpGained>('xp:gained', (p) => p.totalXp === expected[expected.length - 1]);
      expect(sequence(d)).toEqual(expected);
    }
  });

  it('says per item whether its user had a connected socket', async () => {
    const online = uniqueUser('ev-online');
    const offline = uniqueUser('ev-offline');
    const phone = await device(online);
    const res = await post({
      events: [xp(online, 1), xp(offline, 2), xp(online, 3), xp(offline, 4)],
    });
    expect(res).toEqual({
      status: 202,
      body: { accepted: 4, delivered: [true, false, true, false] },
    });
    await phone.waitFor<XpGained>('xp:gained', (p) => p.totalXp === 3);
    expect(sequence(phone)).toEqual([1, 3]);
  });

  it('validates each item as the single-user endpoint does: contract events and payloads, user ids trimmed, unknown payload keys dropped', async () => {
    const userId = uniqueUser('ev-contract');
    const phone = await device(userId);
    const res = await post({
      events: [
        {
          userId: `  ${userId}  `,
          event: 'notification:unread_count',
          payload: { unreadCount: 7, injected: 'x' },
        },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.body.delivered).toEqual([true]);
    await phone.waitFor<{ unreadCount: number }>(
      'notification:unread_count',
      (p) => p.unreadCount === 7,
    );
    expect(
      phone.received(
        'notification:unread_count',
        (p: { unreadCount: number }) => p.unreadCount === 7,
      ),
    ).toEqual([{ unreadCount: 7 }]);
  });

  it('refuses the whole request when one item is invalid, naming the item, and sends nothing', async () => {
    const userId = uniqueUser('ev-invalid');
    const phone = await device(userId);
    const res = await post({
      events: [
        xp(userId, 1, 'refused'),
        xp(userId, 2, 'refused'),
        xp(userId, 3, 'refused'),
        { userId, event: 'xp:gained', payload: { amount: -5, source: 'refused', totalXp: 4 } },
        { userId, event: 'made:up', payload: {} },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(ErrorCode.InvalidPayload);
    expect(res.body.message).toEqual([
      expect.stringMatching(/^events\[3\]\.payload\.amount: /),
      'events[4].event: unknown event "made:up"',
    ]);

    // Events to one user arrive in the order they were sent: once this one is here,
    // anything the refused request had sent would have arrived before it.
    expect((await post({ events: [xp(userId, 99, 'after')] })).status).toBe(202);
    await phone.waitFor<XpGained>('xp:gained', (p) => p.source === 'after');
    expect(phone.received('xp:gained')).toEqual([{ amount: 1, source: 'after', totalXp: 99 }]);
  });

  it.each([
    ['no events', { events: [] }],
    [
      'more events than the limit',
      { events: Array.from({ length: LIMITS.maxBatchEvents + 1 }, (_, i) => xp('u', i + 1)) },
    ],
    ['a body without events', { event: 'xp:gained', payload: {} }],
    [
      'an item without its user',
      { events: [{ event: 'xp:gained', payload: { amount: 1, source: 's', totalXp: 1 } }] },
    ],
  ])('refuses %s with 400 INVALID_PAYLOAD', async (_label, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(ErrorCode.InvalidPayload);
  });

  it(`accepts ${LIMITS.maxBatchEvents} events in one request`, async () => {
    const userId = uniqueUser('ev-max');
    const phone = await device(userId);
    const events = Array.from({ length: LIMITS.maxBatchEvents }, (_, i) => xp(userId, i + 1));
    const res = await post({ events });
    expect(res.status).toBe(202);
    expect(res.body.delivered).toEqual(events.map(() => true));
    await phone.waitFor<XpGained>('xp:gained', (p) => p.totalXp === LIMITS.maxBatchEvents, 15_000);
    expect(sequence(phone)).toEqual(events.map((e) => e.payload.totalXp));
  });

  it.each([
    ['without x-api-key', {}],
    ['with a wrong x-api-key', { 'x-api-key': `${TEST_API_KEY}-wrong` }],
  ])('answers 401 API_KEY_INVALID %s and sends nothing', async (_label, headers) => {
    const userId = uniqueUser('ev-key');
    const phone = await device(userId);
    const res = await post({ events: [xp(userId, 1, 'unauthorized')] }, headers);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe(ErrorCode.ApiKeyInvalid);
    expect((await post({ events: [xp(userId, 2, 'after')] })).status).toBe(202);
    await phone.waitFor<XpGained>('xp:gained', (p) => p.source === 'after');
    expect(sequence(phone, 'unauthorized')).toEqual([]);
  });

  it('is in the OpenAPI document with its body, answer and error codes', async () => {
    const doc = await (await fetch(`${api.url}/api/docs-json`)).json();
    const operation = doc.paths['/api/realtime/events']?.post;
    expect(operation).toBeDefined();
    expect(JSON.stringify(operation.requestBody)).toContain('ServerEventBatchBody');
    expect(JSON.stringify(operation.responses['202'])).toContain('EventBatchDelivery');
    for (const [status, code] of [
      ['400', 'INVALID_PAYLOAD'],
      ['401', 'API_KEY_INVALID'],
      ['503', 'SERVICE_UNAVAILABLE'],
    ])
      expect(operation.responses[status]?.description, status).toContain(code);
    expect(Object.keys(doc.components.schemas.ServerEventBatchBody.properties)).toEqual(['events']);
  });
});
