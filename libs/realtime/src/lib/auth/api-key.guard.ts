import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ErrorCode, HeraldError } from '@herald/ws-contracts';
import { ApiKeyMatcher } from './api-key-matcher';

/** Injection token for the server-to-server key (API_KEY); undefined disables the service API. */
export const SERVICE_API_KEY = Symbol('SERVICE_API_KEY');

/**
 * Guards service endpoints with `x-api-key`, compared in constant time. Every refusal is
 * 401 API_KEY_INVALID; the message says which of the three cases it is.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly matcher: ApiKeyMatcher;

  constructor(@Inject(SERVICE_API_KEY) apiKey: string | undefined) {
    this.matcher = new ApiKeyMatcher(apiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const given = request.headers['x-api-key'];
    if (!this.matcher.enabled) {
      throw refused('The service API is disabled: API_KEY is not configured');
    }
    if (!given) throw refused('Missing x-api-key header');
    if (!this.matcher.matches(given)) throw refused('Invalid API key');
    return true;
  }
}

function refused(message: string): HeraldError {
  return new HeraldError(ErrorCode.ApiKeyInvalid, message);
}
