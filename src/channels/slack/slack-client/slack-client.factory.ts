import { Injectable } from '@nestjs/common';
import { LogLevel, WebClient } from '@slack/web-api';
import { SlackSettings } from '../config/slack-settings';

/**
 * One WebClient per workspace token, pointed at SLACK_API_URL. Rate-limited calls are rejected
 * rather than retried inside the client: by default @slack/web-api pauses the client's whole queue
 * on a 429 and may keep retrying one call for about 30 minutes. Our delivery jobs own retries and
 * honour the error's `retryAfter` instead, so a 429 in one channel never stalls the process.
 */
@Injectable()
export class SlackClientFactory {
  private readonly clients = new Map<string, WebClient>();

  constructor(private readonly settings: SlackSettings) {}

  forToken(token: string): WebClient {
    let client = this.clients.get(token);
    if (!client) {
      client = new WebClient(token, {
        slackApiUrl: this.settings.SLACK_API_URL,
        rejectRateLimitedCalls: true,
        retryConfig: { retries: 0 },
        timeout: this.settings.SLACK_TIMEOUT_MS,
        logLevel: LogLevel.ERROR,
      });
      this.clients.set(token, client);
    }
    return client;
  }

  /** A client without a token, for oauth.v2.access. */
  anonymous(): WebClient {
    return this.forToken('');
  }

  forget(token: string): void {
    this.clients.delete(token);
  }
}
