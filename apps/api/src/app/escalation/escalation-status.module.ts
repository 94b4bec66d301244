import { Module } from '@nestjs/common';
import { EscalationStatusReader } from './escalation-status.reader';
import { EscalationRepository } from './escalation.repository';

/**
 * The escalation schedule's table and its reader, without the scheduler: what the inbox
 * imports to show `escalations` in a notification's status (no import cycle with
 * EscalationModule, which itself imports the inbox).
 */
@Module({
  providers: [EscalationRepository, EscalationStatusReader],
  exports: [EscalationRepository, EscalationStatusReader],
})
export class EscalationStatusModule {}
