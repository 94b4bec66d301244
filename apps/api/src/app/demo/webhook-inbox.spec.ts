import type { DemoWebhookDelivery } from '@herald/ws-contracts';
import { WebhookInbox } from './webhook-inbox';

const entry = (id: string): DemoWebhookDelivery => ({
  id,
  timestamp: '2026-01-15T12:00:01.234Z',
  receivedAt: '2026-01-15T12:00:01.300Z',
  type: 'notification.escalated',
  notificationId: `n-${id}`,
  title: `Title ${id}`,
  userId: 'ana',
});

describe('WebhookInbox', () => {
  it('lists deliveries newest first', () => {
    const inbox = new WebhookInbox();
    inbox.record(entry('a'));
    inbox.record(entry('b'));
    inbox.record(entry('c'));
    expect(inbox.list().map((e) => e.id)).toEqual(['c', 'b', 'a']);
  });

  it('keeps only the most recent deliveries up to its capacity', () => {
    const inbox = new WebhookInbox(3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) inbox.record(entry(id));
    expect(inbox.list().map((e) => e.id)).toEqual(['e', 'd', 'c']);
  });

  it('holds 50 deliveries by default', () => {
    const inbox = new WebhookInbox();
    for (let i = 0; i < 60; i++) inbox.record(entry(String(i)));
    const ids = inbox.list().map((e) => e.id);
    expect(ids).toHaveLength(50);
    expect(ids[0]).toBe('59');
    expect(ids.at(-1)).toBe('10');
  });

  it('lists a retried delivery (same webhook-id) once', () => {
    const inbox = new WebhookInbox();
    expect(inbox.record(entry('a'))).toBe(true);
    expect(inbox.record({ ...entry('a'), timestamp: '2026-01-15T12:00:06.000Z' })).toBe(false);
    expect(inbox.list()).toEqual([entry('a')]);
  });

  it('answers a copy, so a caller cannot change what it holds', () => {
    const inbox = new WebhookInbox();
    inbox.record(entry('a'));
    inbox.list().pop();
    expect(inbox.list()).toHaveLength(1);
  });
});
