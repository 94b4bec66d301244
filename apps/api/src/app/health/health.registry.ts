import { Injectable, Logger } from '@nestjs/common';
import type { DependencyState } from '@herald/ws-contracts';

export interface HealthCheckResult {
  status: DependencyState;
  /** Shown to anyone who can reach /api/health: never a driver message, host or address. */
  detail?: string;
}

export interface HealthCheck {
  name: string;
  /** A critical dependency being down makes the service not ready (503). */
  critical: boolean;
  check(): Promise<HealthCheckResult> | HealthCheckResult;
}

export interface HealthCheckOutcome {
  critical: boolean;
  name: string;
  result: HealthCheckResult;
}

/** How long one round of checks answers every probe. */
export const HEALTH_CACHE_MS = 1_000;
/** A check that has not answered by then counts as down. */
export const HEALTH_CHECK_TIMEOUT_MS = 2_000;

/**
 * Modules register the dependencies they own; /api/health reports them all.
 *
 * The health endpoints are public, exempt from the rate limit and polled by every load
 * balancer, so one round of checks (a database query among them) answers every probe for
 * {@link HEALTH_CACHE_MS}, and probes that arrive while a round runs wait for that round
 * instead of starting their own.
 */
@Injectable()
export class HealthRegistry {
  private readonly logger = new Logger('Health');
  private readonly checks: HealthCheck[] = [];
  private latest?: { startedAt: number; outcomes: Promise<HealthCheckOutcome[]> };

  register(check: HealthCheck): void {
    this.checks.push(check);
    this.latest = undefined;
  }

  run(): Promise<HealthCheckOutcome[]> {
    const now = Date.now();
    if (this.latest && now - this.latest.startedAt < HEALTH_CACHE_MS) return this.latest.outcomes;
    const outcomes = Promise.all(this.checks.map((check) => this.runOne(check)));
    this.latest = { startedAt: now, outcomes };
    return outcomes;
  }

  private async runOne(check: HealthCheck): Promise<HealthCheckOutcome> {
    const { critical, name } = check;
    try {
      const result = await withTimeout(Promise.resolve(check.check()), HEALTH_CHECK_TIMEOUT_MS);
      return { critical, name, result };
    } catch (error) {
      if (error instanceof HealthCheckTimeout) {
        return { critical, name, result: { status: 'down', detail: error.message } };
      }
      // The error stays in the logs: it may name hosts and addresses.
      this.logger.warn({ msg: 'A health check failed', check: name, err: error });
      return { critical, name, result: { status: 'down' } };
    }
  }
}

class HealthCheckTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HealthCheckTimeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
