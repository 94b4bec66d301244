import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { Request } from 'express';
import { ErrorCode, HeraldError } from '@herald/ws-contracts';
import { TokenRevocations } from '../revocation/token-revocations';
import { AuthenticatedUser, bearerToken, TokenVerifier } from './token-verifier';

type AuthedRequest = Request & { user?: AuthenticatedUser };

/**
 * HTTP guard for user endpoints: `Authorization: Bearer <JWT>`, verified like the
 * handshake, with the same codes: 401 TOKEN_MISSING / TOKEN_INVALID / TOKEN_EXPIRED, or
 * 503 SERVICE_UNAVAILABLE while the signing keys (JWKS) cannot be fetched.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Inject(TokenRevocations) private readonly revocations: TokenRevocations,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    try {
      const token = bearerToken(request.headers.authorization);
      const user = await this.verifier.verify(token);
      await this.revocations.assertNotRevoked(user.userId, token);
      request.user = user;
      return true;
    } catch (error) {
      if (HeraldError.is(error)) throw error;
      throw new HeraldError(ErrorCode.TokenInvalid, 'Authentication token is invalid', {
        cause: error,
      });
    }
  }
}

/** The user a JwtAuthGuard-protected handler acts for. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => {
    const user = context.switchToHttp().getRequest<AuthedRequest>().user;
    if (!user) throw new HeraldError(ErrorCode.TokenMissing, 'Authentication token is missing');
    return user;
  },
);
