import { Module } from '@nestjs/common';
import { AsyncApiController } from './asyncapi.controller';

/** Serves the AsyncAPI document of the realtime contract (see AsyncApiController). */
@Module({ controllers: [AsyncApiController] })
export class AsyncApiModule {}
