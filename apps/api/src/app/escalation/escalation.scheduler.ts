import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Preferences } from '@herald/ws-contracts';
import {
  ESCALATION_SENDERS,
  type EscalationSender,
  type SendOutcome,
} from '../channels/escalation-channel';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PreferencesService } from '../preferences/preferences.service';
import { quietHoursEnd } from '../preferences/quiet-hours';
import { UsersRepository } from '../users/users.repository';
import { Clock } from './clock';
import { EscalationRepository, type ClaimedEscalation } from './escalation.repository';
import { ESCALATION_METRICS } from './escalation.tokens';
import type { EscalationMetrics } from './escalation.metrics';
import { nextRetryDelaySeconds } from './retry-schedule';

/** Escalations one process leases per poll at most (and sends concurrently). */
const CLAIM_BATCH = 50;
/**
 * A lease outlives one attempt's timeout by this much (the preference and address reads
 * before it, the outcome's write after it) before another process may take over.
 */
const LEASE_MARGIN_SECONDS = 10;

/**
 * Sends due escalations. Every process polls the schedule (ESCALATION_POLL_INTERVAL_MS),
 * leases what is due with `FOR UPDATE SKIP LOCKED`, and sends outside the lock, so a
 * cluster sends each escalation once and a slow receiver holds no database lock. A
 * process that dies mid-send leaves a lease that lapses; another process then sends again
 * with the same `webhook-id`: at least once to the receiver, exactly once in the records.
 */
@Injectable()
export class EscalationScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EscalationScheduler.name);
  private readonly senders: Map<string, EscalationSender>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ESCALATION_SENDERS) senders: EscalationSender[],
    @Inject(EscalationRepository) private readonly repository: EscalationRepository,
    @Inject(PreferencesService) private readonly preferences: PreferencesService,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(ESCALATION_METRICS) private readonly metrics: EscalationMetrics,
  ) {
    this.senders = new Map(senders.map((sender) => [sender.channel, sender]));
  }

  onApplicationBootstrap(): void {
    // Without a channel nothing is ever scheduled, so there is nothing to poll.
    if (this.senders.size > 0) this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    for (const sender of this.senders.values()) await sender.close?.();
  }

  /** One poll: cancels what was received in time, then sends what is due. Answers how many. */
  async runOnce(): Promise<number> {
    for (const channel of await this.repository.cancelSettled()) {
      this.metrics.count(channel, 'cancelled');
    }
    const claimed = await this.repository.claimDue(
      CLAIM_BATCH,
      randomUUID(),
      Math.ceil(this.maxTimeoutMs() / 1000) + LEASE_MARGIN_SECONDS,
    );
    await Promise.all(claimed.map((claim) => this.process(claim)));
    return claimed.length;
  }

  private schedule(delayMs = this.config.escalation.pollIntervalMs): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.poll().finally(() => (this.running = undefined));
    }, delayMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    let full = false;
    try {
      full = (await this.runOnce()) === CLAIM_BATCH;
    } catch (error) {
      // A database outage: the rows wait, the next poll tries again.
      this.logger.warn({ msg: 'Escalation poll failed', err: String(error) });
    }
    // A full batch means more is due: go again at once rather than after the interval.
    this.schedule(full ? 0 : undefined);
  }

  private async process(claim: ClaimedEscalation): Promise<void> {
    const { channel, notification } = claim;
    try {
      const sender = this.senders.get(channel);
      if (!sender) {
        // Scheduled while the channel was configured; it no longer is on this process.
        await this.record(claim, { status: 'skipped', reason: 'channel not configured' });
        return;
      }
      const preferences = await this.preferences.get(notification.userId);
      if (!allows(preferences, channel, notification.type)) {
        await this.record(claim, { status: 'skipped', reason: "off in the user's preferences" });
        return;
      }
      const quietUntil = quietHoursEnd(this.clock.now(), preferences.quietHours);
      if (quietUntil) {
        if (await this.repository.postpone(claim, quietUntil)) {
          this.metrics.count(channel, 'postponed');
        }
        return;
      }
      const user = (await this.users.find(notification.userId)) ?? {
        id: notification.userId,
        email: null,
        timezone: null,
      };
      await this.record(claim, await sender.send({ escalationId: claim.id, notification, user }));
    } catch (error) {
      // The lease lapses and the escalation is tried again (same id); nothing is lost.
      this.logger.warn({
        msg: 'Escalation attempt aborted',
        escalationId: claim.id,
        err: String(error),
      });
    }
  }

  private async record(claim: ClaimedEscalation, outcome: SendOutcome): Promise<void> {
    const log = {
      escalationId: claim.id,
      notificationId: claim.notification.id,
      channel: claim.channel,
    };
    if (outcome.status === 'sent' || outcome.status === 'skipped') {
      if (
        await this.repository.finish(
          claim,
          outcome.status,
          outcome.status === 'skipped' ? outcome.reason : undefined,
        )
      ) {
        this.metrics.count(claim.channel, outcome.status);
        this.logger.log({ msg: `Escalation ${outcome.status}`, ...log });
      }
      return;
    }
    const failed = claim.attempts + 1;
    const delay = nextRetryDelaySeconds(
      failed,
      this.config.escalation.retrySeconds,
      outcome.retryAfterSeconds,
    );
    if (delay === null) {
      if (await this.repository.finish(claim, 'failed', outcome.error)) {
        this.metrics.count(claim.channel, 'failed');
        this.logger.warn({
          msg: 'Escalation failed for good',
          attempts: failed,
          error: outcome.error,
          ...log,
        });
      }
      return;
    }
    if (await this.repository.retryLater(claim, delay, outcome.error)) {
      this.metrics.count(claim.channel, 'retried');
      this.logger.log({
        msg: 'Escalation attempt failed; retrying',
        attempt: failed,
        retryInSeconds: delay,
        error: outcome.error,
        ...log,
      });
    }
  }

  /** The longest one attempt can take (SMTP has three timed phases). */
  private maxTimeoutMs(): number {
    const { webhook, email } = this.config.escalation;
    return Math.max(webhook?.timeoutMs ?? 0, (email?.timeoutMs ?? 0) * 3);
  }
}

/** A type's own switch wins over the channel's; both default to on. */
export function allows(
  preferences: Preferences,
  channel: 'email' | 'webhook',
  type: string,
): boolean {
  const forType = Object.hasOwn(preferences.types, type)
    ? preferences.types[type]?.[channel]
    : undefined;
  return forType ?? preferences.channels[channel];
}
