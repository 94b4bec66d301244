import { ErrorCode } from '@herald/ws-contracts';
import { InMemoryRevocationStore, TokenRevocations } from './token-revocations';

const tokenIssuedAt = (iat?: number) =>
  `e30.${Buffer.from(JSON.stringify(iat === undefined ? {} : { iat })).toString('base64url')}.sig`;

describe('TokenRevocations', () => {
  it('refuses tokens issued up to the revocation’s second and accepts later ones', async () => {
    const revocations = new TokenRevocations(new InMemoryRevocationStore(), 60);
    await revocations.revokeIssuedBefore('u1', 10_500);
    await expect(revocations.assertNotRevoked('u1', tokenIssuedAt(9))).rejects.toMatchObject({
      code: ErrorCode.TokenInvalid,
    });
    await expect(revocations.assertNotRevoked('u1', tokenIssuedAt(10))).rejects.toMatchObject({
      code: ErrorCode.TokenInvalid,
    });
    await expect(revocations.assertNotRevoked('u1', tokenIssuedAt(11))).resolves.toBeUndefined();
    await expect(revocations.assertNotRevoked('u1', tokenIssuedAt())).rejects.toMatchObject({
      code: ErrorCode.TokenInvalid,
    });
  });

  it('leaves other users alone', async () => {
    const revocations = new TokenRevocations(new InMemoryRevocationStore(), 60);
    await revocations.revokeIssuedBefore('u1');
    await expect(revocations.assertNotRevoked('u2', tokenIssuedAt(1))).resolves.toBeUndefined();
  });
});
