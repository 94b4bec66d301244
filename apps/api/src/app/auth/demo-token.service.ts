import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { DemoLoginBody, DemoLoginResponse, DemoUser } from '@herald/ws-contracts';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { demoUserByEmail, demoUserById } from './demo-users';

/**
 * Issues demo tokens through the realtime module's `JwtService` (HS256 with JWT_SECRET,
 * the configured issuer and audience), so a demo token is accepted exactly like one from a
 * real auth service. The user id and e-mail go into the configured claims.
 */
@Injectable()
export class DemoTokenService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JwtService) private readonly jwt: JwtService,
  ) {}

  /**
   * The user a sign-in stands for: an explicit `userId` wins, then a demo user with that
   * email, else the email itself (lower-cased) is the id, so one email is one user.
   */
  resolveUser(body: DemoLoginBody): DemoUser {
    const email = body.email.trim().toLowerCase();
    const known = body.userId ? demoUserById(body.userId) : demoUserByEmail(email);
    const id = body.userId ?? known?.id ?? email;
    return { id, email, name: body.name ?? known?.name ?? null, role: known?.role ?? 'user' };
  }

  async issue(user: DemoUser): Promise<DemoLoginResponse> {
    const { userIdClaim, emailClaim, expiresInSeconds } = this.config.jwt;
    const now = Math.floor(Date.now() / 1000);
    const exp = now + expiresInSeconds;
    const claims: Record<string, unknown> = {
      name: user.name ?? undefined,
      role: user.role,
      [emailClaim]: user.email,
      // Last, so a user-id claim that shares a name with another claim still carries the id.
      [userIdClaim]: user.id,
      iat: now,
      exp,
    };
    return {
      accessToken: await this.jwt.signAsync(claims),
      expiresAt: new Date(exp * 1000).toISOString(),
      user,
    };
  }
}
