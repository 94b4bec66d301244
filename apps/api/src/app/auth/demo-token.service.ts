import { Inject, Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import type { DemoLoginBody, DemoLoginResponse, DemoUser } from '@herald/ws-contracts';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { demoUserByEmail, demoUserById } from './demo-users';

/**
 * Issues HS256 tokens for demo users with the same secret, issuer and audience the
 * verifier checks, so a demo token is accepted exactly like one from a real auth service.
 */
@Injectable()
export class DemoTokenService {
  private readonly key: Uint8Array;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    // Config refuses DEMO_AUTH without JWT_SECRET; an empty key only exists when demo is off.
    this.key = new TextEncoder().encode(config.jwt.secret ?? '');
  }

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
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.config.jwt.expiresInSeconds;
    const jwt = new SignJWT({ email: user.email, name: user.name ?? undefined, role: user.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setIssuedAt(now)
      .setExpirationTime(exp);
    if (this.config.jwt.issuer) jwt.setIssuer(this.config.jwt.issuer);
    if (this.config.jwt.audience) jwt.setAudience(this.config.jwt.audience);
    return {
      accessToken: await jwt.sign(this.key),
      expiresAt: new Date(exp * 1000).toISOString(),
      user,
    };
  }
}
