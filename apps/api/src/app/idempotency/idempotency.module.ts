import { Module } from '@nestjs/common';
import { IdempotencyRepository } from './idempotency.repository';

/** `Idempotency-Key` support for service endpoints (the table and its claim/replay logic). */
@Module({ providers: [IdempotencyRepository], exports: [IdempotencyRepository] })
export class IdempotencyModule {}
