import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { createApp } from './bootstrap';
import { ConfigError, loadConfig } from './config/app-config';

async function main() {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (config.PROCESS_ROLE === 'worker') {
    // Workers serve no HTTP: they consume queues and run schedulers.
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { bufferLogs: true });
    app.useLogger(app.get(Logger));
    // SIGTERM drains: deliveries in flight finish and Bull consumers close before the database does.
    app.enableShutdownHooks();
    await app.init();
    return;
  }
  const app = await createApp(config);
  // HOST is always passed: given only a port, Fastify would listen on localhost alone.
  await app.listen(config.PORT, config.HOST);
  const address = app.getHttpServer().address();
  app.get(Logger).log(`listening on ${config.HOST}:${typeof address === 'object' && address ? address.port : config.PORT}`, 'Threadline');
}

main().catch((err) => {
  // Channel modules validate their own settings while the app is built (e.g. SLACK_*).
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`Threadline failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
