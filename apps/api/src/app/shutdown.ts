import type { INestApplication, LoggerService } from '@nestjs/common';

/**
 * SIGTERM/SIGINT: stop accepting, let Nest's shutdown hooks close sockets (clients are told
 * to reconnect), the database and Redis, then exit 0. A repeated signal does not cut that
 * short. A hung dependency cannot keep the process alive past `timeoutMs`: it then exits 1
 * so the supervisor knows (SIGKILL remains the way to stop it at once).
 */
export function installGracefulShutdown(
  app: INestApplication,
  logger: LoggerService,
  timeoutMs: number,
) {
  let closing = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) {
      // Stays installed: with no listener a repeated signal (an impatient supervisor, a
      // second Ctrl-C) would kill the process at once and skip the database close.
      logger.log({ msg: `Received ${signal} again; already shutting down`, signal }, 'Shutdown');
      return;
    }
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
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
