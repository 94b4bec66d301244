import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CONTRACT_VERSION, type HealthResponse } from '@herald/ws-contracts';
import { HealthRegistry } from './health.registry';

const VERSION = process.env['npm_package_version'] ?? '0.1.0';

@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  /**
   * Readiness and state of every dependency: 200 when ready (status ok, or degraded when a
   * non-critical dependency such as Redis is down), 503 when a critical one is down.
   */
  @Get()
  async health(@Res({ passthrough: true }) res: Response): Promise<HealthResponse> {
    const results = await this.registry.run();
    const criticalDown = results.some((r) => r.critical && r.result.status === 'down');
    const anyDown = results.some((r) => r.result.status === 'down');
    if (criticalDown) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: criticalDown ? 'down' : anyDown ? 'degraded' : 'ok',
      version: VERSION,
      contractVersion: CONTRACT_VERSION,
      uptimeSeconds: Math.round(process.uptime()),
      checks: Object.fromEntries(results.map((r) => [r.name, r.result])),
    };
  }

  /** Liveness: the process answers. Never depends on anything else. */
  @Get('live')
  @HttpCode(HttpStatus.OK)
  live() {
    return { status: 'ok' };
  }

  /** Readiness alone, for load balancers: 200 or 503, same rule as /health. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const results = await this.registry.run();
    const ready = !results.some((r) => r.critical && r.result.status === 'down');
    if (!ready) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? 'ok' : 'down' };
  }
}
