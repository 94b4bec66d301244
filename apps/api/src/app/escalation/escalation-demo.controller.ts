import { Controller, Get, Inject, Param, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { JwtAuthGuard, ZodValidationPipe } from '@herald/realtime';
import {
  ErrorCode,
  notificationIdSchema,
  type EscalationChannel,
  type EscalationState,
} from '@herald/ws-contracts';
import { DemoEnabledGuard } from '../auth/demo-enabled.guard';
import { ESCALATION_SENDERS, type EscalationSender } from '../channels/escalation-channel';
import { ApiErrors, ApiUserAuth } from '../openapi/api-docs.decorators';
import { EscalationStatusReader } from './escalation-status.reader';

/**
 * The demo's view of escalations (only while DEMO_AUTH is on): which channels are
 * configured and where one notification's escalations stand, so the control panel can
 * show an offline user's notification going out without holding the service key.
 */
@ApiTags('demo')
@Controller('demo/escalations')
@UseGuards(DemoEnabledGuard, JwtAuthGuard)
export class EscalationDemoController {
  constructor(
    @Inject(ESCALATION_SENDERS) private readonly senders: EscalationSender[],
    @Inject(EscalationStatusReader) private readonly status: EscalationStatusReader,
  ) {}

  @Get(':notificationId')
  @ApiOperation({ summary: "Demo: the configured channels and a notification's escalations" })
  @ApiParam({ name: 'notificationId', format: 'uuid' })
  @ApiUserAuth()
  @ApiErrors(ErrorCode.InvalidPayload, ErrorCode.NotFound, ErrorCode.Unavailable)
  async escalations(
    @Param('notificationId', new ZodValidationPipe(notificationIdSchema)) notificationId: string,
  ): Promise<{ configured: EscalationChannel[]; escalations: EscalationState[] }> {
    return {
      configured: this.senders.map((sender) => sender.channel),
      escalations: await this.status.escalationsOf(notificationId),
    };
  }
}
