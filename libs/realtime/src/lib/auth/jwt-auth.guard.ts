import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Inject,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';
import { ErrorCode } from '@herald/ws-contracts';
import { RealtimeError } from '../errors';
import { AuthenticatedUser, bearerToken, TokenVerifier } from './token-verifier';

type AuthedRequest = Request & { user?: AuthenticatedUser };

/** HTTP guard for user endpoints: `Authorization: Bearer <JWT>`, verified like the handshake. */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(@Inject(TokenVerifier) private readonly verifier: TokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    try {
      const token = bearerToken(request.headers.authorization);
      request.user = await this.verifier.verify(token);
      return true;
    } catch (error) {
      const detail = error instanceof RealtimeError ? error : undefined;
      if (detail?.code === ErrorCode.Unavailable) {
        throw new ServiceUnavailableException({
          statusCode: 503,
          message: detail.message,
          error: 'Service Unavailable',
          code: detail.code,
        });
      }
      throw new UnauthorizedException({
        statusCode: 401,
        message: detail?.message ?? 'Unauthorized',
        error: 'Unauthorized',
        code: detail?.code,
      });
    }
  }
}

/** The user a JwtAuthGuard-protected handler acts for. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => {
    const user = context.switchToHttp().getRequest<AuthedRequest>().user;
    if (!user) throw new UnauthorizedException();
    return user;
  },
);
