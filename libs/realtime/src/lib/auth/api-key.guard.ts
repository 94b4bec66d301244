import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/** Injection token for the server-to-server key (API_KEY); undefined disables the service API. */
export const SERVICE_API_KEY = Symbol('SERVICE_API_KEY');

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Guards service endpoints with `x-api-key`, compared in constant time. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@Inject(SERVICE_API_KEY) apiKey: string | undefined) {
    this.expected = apiKey ? digest(apiKey) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const header = request.headers['x-api-key'];
    const given = Array.isArray(header) ? header[0] : header;
    if (!this.expected) {
      throw new UnauthorizedException('The service API is disabled: API_KEY is not configured');
    }
    if (!given) throw new UnauthorizedException('Missing x-api-key header');
    if (!timingSafeEqual(digest(given), this.expected))
      throw new UnauthorizedException('Invalid API key');
    return true;
  }
}
