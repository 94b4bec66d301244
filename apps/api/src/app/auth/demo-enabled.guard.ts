import { CanActivate, Inject, Injectable } from '@nestjs/common';
import { ErrorCode, HeraldError } from '@herald/ws-contracts';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/**
 * Demo routes exist only while DEMO_AUTH is on; otherwise they answer 404 exactly like a
 * route that was never there (never in production: config refuses DEMO_AUTH there).
 */
@Injectable()
export class DemoEnabledGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(): boolean {
    if (!this.config.demoAuth)
      throw new HeraldError(ErrorCode.NotFound, 'Demo sign-in is disabled (DEMO_AUTH=false)');
    return true;
  }
}
