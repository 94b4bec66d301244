import { HeraldError } from '@herald/ws-contracts';
import { decodeCursor, encodeCursor } from './notification-cursor';

describe('inbox cursor', () => {
  const position = {
    createdAt: '2026-11-28T16:54:15.339Z',
    id: '9274abe3-54e9-4891-b480-abd3defbd647',
  };

  it('round-trips the position of the last item', () => {
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each([
    ['garbage', 'garbage'],
    ['a bad date', Buffer.from(`yesterday|${position.id}`).toString('base64url')],
    ['a bad id', Buffer.from(`${position.createdAt}|42`).toString('base64url')],
    ['extra fields', Buffer.from(`${position.createdAt}|${position.id}|x`).toString('base64url')],
    ['empty', ''],
  ])('rejects %s with a 400', (_label, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(HeraldError);
  });
});
