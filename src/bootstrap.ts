import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { AppModule } from './app.module';
import { bodyLimitBytes, registerBodyParsers } from './common/body-parsing';
import { httpReason } from './common/errors';
import { REQUEST_ID_HEADER, requestIdFor } from './common/request-id';
import { createValidationPipe } from './common/validation';
import { AppConfig } from './config/app-config';

/**
 * Builds the HTTP application exactly as production runs it; tests call this too, so what they
 * exercise is what users get (body limits, validation, error format, docs).
 */
export async function createApp(config: AppConfig, options: { imports?: Array<Type | DynamicModule> } = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    // One limit for every body, whatever its type (413 beyond it).
    bodyLimit: bodyLimitBytes(config.BODY_LIMIT),
    // URLs match as they did on Express: case-insensitive, a trailing slash ignored.
    // A path parameter may be as long as the URL itself (Node caps the request head at 16 KiB);
    // Fastify's default of 100 would turn a long bad id into 414 rather than a 400 naming it.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    // Errors Fastify raises while routing (a path that does not decode) skip the hooks and the
    // exception filter: answered here in the same format, with the request id.
    frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
      const message = status >= 500 ? 'Internal server error' : err.message;
      void reply.code(status).header(REQUEST_ID_HEADER, req.id).send({ statusCode: status, error: httpReason(status), message });
    },
    // The request id of the logs (nestjs-pino takes Fastify's), echoed in a hook below.
    genReqId: (req: IncomingMessage) => requestIdFor(req.headers[REQUEST_ID_HEADER]),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.imports), adapter, {
    bufferLogs: true,
    // Our own parsers below, not Nest's (which would parse Slack's bodies before the signature guard).
    bodyParser: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  // Slack's endpoints get their body as raw bytes: the signature guard verifies those bytes before
  // anything parses them (the controllers parse JSON or form data only after that).
  const fastify = app.getHttpAdapter().getInstance();
  registerBodyParsers(fastify);
  // Every response carries the id its log lines have.
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.header(REQUEST_ID_HEADER, req.id);
    done();
  });
  app.useGlobalPipes(createValidationPipe());
  // No X-Powered-By and no ETag: Fastify adds neither by itself.
  setUpDocs(app);
  app.enableShutdownHooks();
  return app;
}

/**
 * Initialises the app and waits until Fastify has registered its routes and plugins, so that its
 * HTTP server answers requests without `listen()` (as supertest uses it). `listen()` does both.
 */
export async function readyApp(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
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
