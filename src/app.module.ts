import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { CommentsModule } from './comments/comments.module';
import { HttpErrorFilter } from './common/http-error.filter';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { SlackModule } from './channels/slack/slack.module';
import { WebhookModule } from './channels/webhook/webhook.module';
import { IdentityModule } from './identity/identity.module';
import { NotificationsModule } from './notifications/notifications.module';
import { OutboxModule } from './outbox/outbox.module';
import { ProjectsModule } from './projects/projects.module';
import { SlaModule } from './sla/sla.module';
import { TicketsModule } from './tickets/tickets.module';

@Module({})
export class AppModule {
  /**
   * `extraImports`: more modules to install, e.g. a notification channel module in a test. Channels
   * need no other wiring: the notification dispatcher discovers them.
   */
  static forRoot(config: AppConfig, extraImports: Array<Type | DynamicModule> = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            // No genReqId: request ids come from Fastify (src/bootstrap.ts, common/request-id.ts),
            // and pino-http logs the `req.id` it finds rather than making its own.
            // Credentials never reach the log.
            redact: {
              paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-slack-signature"]', 'res.headers["set-cookie"]'],
              censor: '[redacted]',
            },
            autoLogging: { ignore: (req) => req.url === '/health' },
          },
        }),
        DatabaseModule.forRoot(config),
        HealthModule,
        OutboxModule,
        IdentityModule,
        ProjectsModule,
        TicketsModule,
        CommentsModule,
        NotificationsModule,
        WebhookModule,
        SlackModule,
        SlaModule,
        ...extraImports,
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }],
    };
  }
}
