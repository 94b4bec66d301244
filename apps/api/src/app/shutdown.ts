import type { INestApplication, LoggerService } from '@nestjs/common';

/**
 * SIGTERM/SIGINT: stop accepting, let Nest's shutdown hooks close sockets (clients are told
 * to reconnect), the database and Redis, then exit 0. A hung dependency cannot keep the
 * process alive past `timeoutMs`: it then exits 1 so the supervisor knows.
 */
export function installGracefulShutdown(
  app: INestApplication,
  logger: LoggerService,
  timeoutMs: number,
) {
  let closing = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log({ msg: `Received ${signal}, shutting down`, signal, timeoutMs }, 'Shutdown');
    const timer = setTimeout(() => {
      logger.error(
        { msg: `Shutdown took longer than ${timeoutMs} ms; exiting anyway` },
        undefined,
        'Shutdown',
      );
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    try {
      await app.close();
      logger.log({ msg: 'Shutdown complete' }, 'Shutdown');
      process.exit(0);
    } catch (error) {
      logger.error({ msg: 'Shutdown failed', err: error }, undefined, 'Shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
