import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { SweeperService } from './sweeper.service';

/** The periodic clean-up: expiry, retention, expired idempotency keys. */
@Module({ imports: [NotificationsModule], providers: [SweeperService] })
export class SweeperModule {}
