import { Injectable } from '@nestjs/common';
import type { DependencyState } from '@herald/ws-contracts';

export interface HealthCheckResult {
  status: DependencyState;
  detail?: string;
}

export interface HealthCheck {
  name: string;
  /** A critical dependency being down makes the service not ready (503). */
  critical: boolean;
  check(): Promise<HealthCheckResult> | HealthCheckResult;
}

/** Modules register the dependencies they own; /api/health reports them all. */
@Injectable()
export class HealthRegistry {
  private readonly checks: HealthCheck[] = [];

  register(check: HealthCheck): void {
    this.checks.push(check);
  }

  async run(): Promise<{ critical: boolean; name: string; result: HealthCheckResult }[]> {
    return Promise.all(
      this.checks.map(async (c) => {
        try {
          return {
            critical: c.critical,
            name: c.name,
            result: await withTimeout(Promise.resolve(c.check()), 2_000),
          };
        } catch (error) {
          return {
            critical: c.critical,
            name: c.name,
            result: { status: 'down' as const, detail: String(error) },
          };
        }
      }),
    );
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`health check timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
