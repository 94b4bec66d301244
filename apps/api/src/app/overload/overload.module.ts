import { Module } from '@nestjs/common';
import { PublishShedding } from './publish-shedding';

/**
 * Load shedding of the publish endpoints. Its middleware is installed by createApp, ahead
 * of the body parser (`app.get(PublishShedding).handle`).
 */
@Module({ providers: [PublishShedding], exports: [PublishShedding] })
export class OverloadModule {}
