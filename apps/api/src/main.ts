import 'reflect-metadata';
import { ConfigError, loadConfig, type AppConfig } from './app/config/app-config';
import { createApp } from './app/create-app';
import { installGracefulShutdown } from './app/shutdown';

async function main() {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      // One clear line, no stack: this is the operator's mistake, not ours.
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const { app, logger } = await createApp(config);
  installGracefulShutdown(app, logger, config.shutdownTimeoutMs);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.log(
    { msg: `Herald listening on http://localhost:${port}/api`, port, env: config.env },
    'Bootstrap',
  );
}

main().catch((error) => {
  process.stderr.write(
    `Herald failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
