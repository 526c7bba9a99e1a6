import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { raw } from 'express';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { createValidationPipe } from './common/validation';
import { AppConfig } from './config/app-config';

/**
 * Builds the HTTP application exactly as production runs it; tests call this too, so what they
 * exercise is what users get (body limits, validation, error format, docs).
 */
export async function createApp(config: AppConfig, options: { imports?: Array<Type | DynamicModule> } = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options.imports), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  // Slack's endpoints get their body as raw bytes: the signature guard verifies those bytes before
  // anything parses them (the controllers parse JSON or form data only after that). Registered
  // first, so the JSON and form parsers below skip these requests.
  app.use('/slack', raw({ type: () => true, limit: config.BODY_LIMIT }));
  app.useBodyParser('json', { limit: config.BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: config.BODY_LIMIT, extended: false });
  app.useGlobalPipes(createValidationPipe());
  app.disable('x-powered-by');
  app.set('etag', false);
  setUpDocs(app);
  app.enableShutdownHooks();
  return app;
}

export function setUpDocs(app: INestApplication) {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Threadline API')
      .setDescription(
        'IT service management where a ticket and its Slack thread are one conversation. ' +
          'Every route under /api/v1 needs `Authorization: Bearer <token>`. Errors are JSON: ' +
          '`{ statusCode, error, message, errors? }`, where `errors` names each offending field.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API token (tl_...)' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', swaggerOptions: { persistAuthorization: true } });
}
