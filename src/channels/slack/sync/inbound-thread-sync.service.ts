import { Injectable, Logger } from '@nestjs/common';
import { WebClient } from '@slack/web-api';
import { MAX_COMMENT_BODY } from '../../../comments/dto/comment.dto';
import { CommentsService } from '../../../comments/comments.service';
import type { ChangeContext } from '../../../events/event-catalogue';
import { mrkdwnToMarkdown, truncate } from '../text/slack-text';
import { SlackUserDirectory, SlackPerson } from '../users/slack-user-directory.service';
import type { InboundMessage } from './inbound-payloads';
import { actorOf, InboundSlackSupport } from './inbound-support';
import { slackOrigin } from './inbound-threads.repository';

export interface Workspace {
  teamId: string;
  client: WebClient;
  botUserId: string | null;
}

export const slackCommentRef = (teamId: string, channel: string, ts: string) => `slack:${teamId}:${channel}:${ts}`;
export const slackAuthorId = (teamId: string, slackUserId: string) => `slack:${teamId}:${slackUserId}`;

const MENTION = /<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>/g;
const INVITE_EVERY_MS = 24 * 60 * 60 * 1000;

/**
 * A reply in a ticket's thread <-> a comment on the ticket. Used by the Events API handlers and by
 * the reconciler, so both write exactly the same thing under the same unique key
 * (`externalRef = slack:team:channel:ts`): however often a reply is seen, it is one comment.
 */
@Injectable()
export class InboundThreadSync {
  private readonly logger = new Logger('SlackInbound');
  /** team:user -> last invitation to link, so an unlinked person is not nagged on every reply. */
  private readonly invited = new Map<string, number>();

  constructor(
    private readonly comments: CommentsService,
    private readonly directory: SlackUserDirectory,
    private readonly support: InboundSlackSupport,
  ) {}

  /** Markdown body of a Slack message: mrkdwn converted, mentions as names, files as links. */
  async renderBody(ws: Workspace, message: Pick<InboundMessage, 'text' | 'files'>): Promise<string> {
    const ids = [...new Set([...message.text.matchAll(MENTION)].map((m) => m[1]))].slice(0, 20);
    const names = new Map<string, string>();
    for (const id of ids) {
      const person = await this.directory.resolve(ws.teamId, id, ws.client).catch(() => null);
      if (person) names.set(id, person.userName ?? person.slackName);
    }
    let body = mrkdwnToMarkdown(message.text, (id) => names.get(id)).trim();
    if (message.files.length) {
      const links = message.files.map((f) => `[${f.name.replace(/[[\]]/g, '')}](${f.url.replace(/[()\s]/g, encodeURIComponent)})`);
      body = [body, links.map((l) => `📎 ${l}`).join('\n')].filter(Boolean).join('\n\n');
    }
    return truncate(body, MAX_COMMENT_BODY);
  }

  private context(ws: Workspace, person: SlackPerson, message: InboundMessage, threadTs: string): ChangeContext {
    return {
      actor: actorOf(person, ws.teamId),
      origin: slackOrigin({ team: ws.teamId, channel: message.channel, ts: message.ts, threadTs, via: 'thread_reply' }),
    };
  }

  /**
   * Stores a reply as a comment unless it exists. Returns whether it was created, or null when the
   * message is empty or from our bot. `invite`: tell an unlinked author how to link (events only).
   */
  async upsertReply(ws: Workspace, ticketId: string, threadTs: string, message: InboundMessage, invite: boolean): Promise<{ created: boolean; commentId: string } | null> {
    if (ws.botUserId && message.user === ws.botUserId) return null;
    const existing = await this.comments.findByExternalRef(slackCommentRef(ws.teamId, message.channel, message.ts));
    if (existing) return { created: false, commentId: existing.id };
    const person = await this.directory.resolve(ws.teamId, message.user, ws.client);
    const body = await this.renderBody(ws, message);
    if (!body) return null;
    const { comment, created } = await this.comments.create(
      ticketId,
      {
        body,
        authorId: person.userId,
        ...(!person.userId && { externalAuthor: { name: `${person.slackName} (via Slack)`, id: slackAuthorId(ws.teamId, message.user) } }),
        source: 'slack',
        externalRef: slackCommentRef(ws.teamId, message.channel, message.ts),
      },
      this.context(ws, person, message, threadTs),
    );
    if (created && invite && !person.userId) await this.inviteToLink(ws, message, threadTs);
    return { created, commentId: comment.id };
  }

  /** Applies an edit made in Slack; creates the comment if the reply itself was missed. */
  async applyEdit(ws: Workspace, ticketId: string, threadTs: string, message: InboundMessage): Promise<'updated' | 'created' | 'unchanged' | 'ignored'> {
    if (ws.botUserId && message.user === ws.botUserId) return 'ignored';
    const ref = slackCommentRef(ws.teamId, message.channel, message.ts);
    const existing = await this.comments.findByExternalRef(ref);
    if (!existing) return (await this.upsertReply(ws, ticketId, threadTs, message, false))?.created ? 'created' : 'ignored';
    if (existing.deletedAt) return 'ignored';
    const body = await this.renderBody(ws, message);
    if (!body || body === existing.body) return 'unchanged';
    const person = await this.directory.resolve(ws.teamId, message.user, ws.client);
    await this.comments.updateByExternalRef(ref, body, this.context(ws, person, message, threadTs));
    return 'updated';
  }

  /** Applies a deletion made in Slack (only to comments that came from Slack replies). */
  async applyDelete(teamId: string, channel: string, ts: string, via: string): Promise<boolean> {
    return this.comments.deleteByExternalRef(slackCommentRef(teamId, channel, ts), {
      actor: { type: 'system', id: null, name: 'Slack' },
      origin: slackOrigin({ team: teamId, channel, ts, via }),
    });
  }

  private async inviteToLink(ws: Workspace, message: InboundMessage, threadTs: string): Promise<void> {
    const key = `${ws.teamId}:${message.user}`;
    const last = this.invited.get(key);
    if (last && Date.now() - last < INVITE_EVERY_MS) return;
    if (this.invited.size > 10_000) this.invited.clear();
    this.invited.set(key, Date.now());
    const name = this.support.commandName;
    await this.support.ephemeral(
      { client: ws.client, user: message.user, channel: message.channel, threadTs },
      `Thanks, your reply was added to the ticket as a comment from you (via Slack). ` +
        `To have it show under your Threadline account, run \`/${name} link\`: it links you when your Slack email matches your account, ` +
        `otherwise a Threadline admin can link you. Once linked, your earlier comments are attributed to you.`,
    );
  }
}
