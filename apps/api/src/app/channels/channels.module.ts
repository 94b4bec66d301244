import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Clock, SystemClock } from '../escalation/clock';
import { EmailChannel } from './email-channel';
import { ESCALATION_SENDERS, type EscalationSender } from './escalation-channel';
import { WebhookChannel } from './webhook-channel';

/** The configured escalation channels (webhook, e-mail); none when nothing is configured. */
@Module({
  providers: [
    { provide: Clock, useClass: SystemClock },
    {
      provide: ESCALATION_SENDERS,
      inject: [APP_CONFIG, Clock],
      useFactory: (config: AppConfig, clock: Clock): EscalationSender[] => {
        const { webhook, email } = config.escalation;
        const senders: EscalationSender[] = [];
        if (webhook) senders.push(new WebhookChannel(webhook, clock));
        if (email) senders.push(new EmailChannel(email));
        return senders;
      },
    },
  ],
  exports: [ESCALATION_SENDERS, Clock],
})
export class ChannelsModule {}
