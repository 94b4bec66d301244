import { Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { HealthRegistry } from '../health/health.registry';
import { DatabaseService } from './database.service';

/**
 * The process's one database, opened and migrated before anything listens. Global: every
 * feature module's repository injects DatabaseService.
 */
@Global()
@Module({
  providers: [
    {
      provide: DatabaseService,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => DatabaseService.open(config.database),
    },
  ],
  exports: [DatabaseService],
})
export class DatabaseModule implements OnModuleInit {
  constructor(
    @Inject(DatabaseService) private readonly database: DatabaseService,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  onModuleInit() {
    this.health.register({
      name: 'database',
      critical: true,
      check: () => this.database.healthCheck(),
    });
  }
}
