import { Injectable, Logger } from '@nestjs/common';
import type { KnownBlock } from '@slack/types';
import { CommentsService } from '../../../comments/comments.service';
import { MAX_COMMENT_BODY } from '../../../comments/dto/comment.dto';
import type { ChangeContext, TicketStatus } from '../../../events/event-catalogue';
import { UsersService } from '../../../identity/users.service';
import { ListTicketsQuery } from '../../../tickets/dto/ticket.dto';
import { formatTicketNumber, TicketRecord } from '../../../tickets/ticket.record';
import { TicketsService } from '../../../tickets/tickets.service';
import { buildTicketMessage } from '../blocks/ticket-message.blocks';
import { PRIORITY_EMOJI, STATUS_LABELS } from '../blocks/ticket-view';
import { parseTicketCommand, TicketCommand, FULL_USAGE } from '../commands/ticket-command.parser';
import { InboundSlackSettings } from '../config/inbound-settings';
import { SlackInstallationsService } from '../installations/slack-installations.service';
import { classifySlackError } from '../slack-client/slack-errors';
import { escapeMrkdwn } from '../text/slack-text';
import { SlackPerson, SlackUserDirectory } from '../users/slack-user-directory.service';
import { MAX_COMMAND_TEXT, SlashCommand } from './inbound-payloads';
import { actorOf, describeApiError, InboundSlackSupport, linkHelp } from './inbound-support';
import { slackAuthorId, Workspace } from './inbound-thread-sync.service';
import { slackOrigin } from './inbound-threads.repository';
import { TITLE_MAX } from './inbound-triage.service';

export interface CommandResponse {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  blocks?: KnownBlock[];
}

const OPEN: TicketStatus[] = ['new', 'open', 'in_progress', 'pending'];
const LIST_LIMIT = 15;

const ephemeral = (text: string, blocks?: KnownBlock[]): CommandResponse => ({ response_type: 'ephemeral', text, ...(blocks && { blocks }) });

/**
 * `/ticket` (SLACK_COMMAND_NAME). Every answer is ephemeral and every failure is an answer, never an
 * error status: bad syntax, unknown tickets, refused transitions and unlinked users all get a helpful
 * message with the usage. The work is bounded by SLACK_ACK_DEADLINE_MS; past it, Slack gets
 * "working on it" and the result follows through response_url.
 *
 * Who may do what: `help` and `link` anyone; `create` anyone (an unlinked person becomes no
 * requester, the ticket records them by name); everything that reads or changes tickets
 * (show, status, assign, comment, mine, team, open-critical) needs a linked account.
 * `team` = the agents' shared queue: every open ticket (new, open, in progress, pending), unassigned
 * or assigned to any agent, most urgent first; every account is an agent or an admin, so this is
 * everything still to be done.
 */
@Injectable()
export class InboundCommandsService {
  private readonly logger = new Logger('SlackInbound');

  constructor(
    private readonly settings: InboundSlackSettings,
    private readonly installations: SlackInstallationsService,
    private readonly directory: SlackUserDirectory,
    private readonly users: UsersService,
    private readonly tickets: TicketsService,
    private readonly comments: CommentsService,
    private readonly support: InboundSlackSupport,
  ) {}

  private get name() {
    return this.support.commandName;
  }

  private usage(text = FULL_USAGE): string {
    return text.replace(/\/ticket\b/g, `/${this.name}`);
  }

  async handle(cmd: SlashCommand): Promise<CommandResponse> {
    if (cmd.text.length > MAX_COMMAND_TEXT) return ephemeral(`That is too long for a command (${cmd.text.length} characters, at most ${MAX_COMMAND_TEXT}). Put long text in the ticket itself.`);
    const work = this.run(cmd).catch((err): CommandResponse => {
      const known = describeApiError(err);
      if (!known) this.logger.error(`/${this.name} failed: ${err instanceof Error ? err.stack : err}`);
      return ephemeral(known ?? 'Sorry, something went wrong. Please try again in a moment.');
    });
    const timer = new Promise<'late'>((r) => setTimeout(() => r('late'), this.settings.SLACK_ACK_DEADLINE_MS).unref());
    const result = await Promise.race([work, timer]);
    if (result !== 'late') return result;
    if (!cmd.responseUrl) return work;
    const url = cmd.responseUrl;
    void work.then((response) => this.support.respond(url, { ...response }).catch((err) => this.logger.warn(`response_url failed: ${err.message}`)));
    return ephemeral('Working on it…');
  }

  private async run(cmd: SlashCommand): Promise<CommandResponse> {
    const parsed = parseTicketCommand(cmd.text);
    if (parsed.kind === 'help') return ephemeral(this.usage());
    if (parsed.kind === 'error') return ephemeral(`${parsed.message}\n${this.usage(parsed.usage)}`);
    const found = await this.installations.client(cmd.teamId);
    if (!found) return ephemeral('Threadline is not installed in this workspace (or was disabled). Ask an admin to install it again.');
    const ws: Workspace = { teamId: cmd.teamId, client: found.client, botUserId: found.installation.botUserId };
    if (parsed.kind === 'link') return this.link(ws, cmd, parsed.email);
    const person = await this.directory.resolve(ws.teamId, cmd.userId, ws.client);
    const ctx: ChangeContext = { actor: actorOf(person, ws.teamId), origin: slackOrigin({ team: ws.teamId, channel: cmd.channelId, via: 'command' }) };
    if (parsed.kind === 'create') return this.create(person, parsed, ctx);
    if (!person.userId) return ephemeral(linkHelp(this.name));
    return this.forLinked(ws, person, parsed, ctx);
  }

  private async create(person: SlackPerson, c: Extract<TicketCommand, { kind: 'create' }>, ctx: ChangeContext): Promise<CommandResponse> {
    const title = c.title.slice(0, TITLE_MAX);
    const ticket = await this.tickets.create(
      { title, description: c.description ?? '', priority: c.priority ?? 'medium', ...(person.userId && { requesterId: person.userId }) },
      ctx,
    );
    return ephemeral(`Created *${formatTicketNumber(ticket.number)}* ${PRIORITY_EMOJI[ticket.priority]} ${escapeMrkdwn(ticket.title)}\n${this.support.ticketUrl(ticket.number)}`);
  }

  private async forLinked(ws: Workspace, person: SlackPerson, c: TicketCommand, ctx: ChangeContext): Promise<CommandResponse> {
    switch (c.kind) {
      case 'show': {
        const ticket = await this.findTicket(c.number);
        if (!ticket) return this.unknownTicket(c.number);
        const message = buildTicketMessage(await this.support.ticketView(ticket, ws.teamId));
        return ephemeral(message.text, message.blocks);
      }
      case 'status': {
        const ticket = await this.findTicket(c.number);
        if (!ticket) return this.unknownTicket(c.number);
        const updated = await this.tickets.update(ticket.id, { status: c.status }, ctx);
        return ephemeral(`${c.number} is now *${STATUS_LABELS[updated.status]}*.`);
      }
      case 'assign': {
        const ticket = await this.findTicket(c.number);
        if (!ticket) return this.unknownTicket(c.number);
        if (!c.slackUserId) {
          return ephemeral(`Mention the person with @ so that Slack tells me who they are, e.g. \`/${this.name} ${c.number} assign @jane\`.`);
        }
        const assignee = await this.directory.resolve(ws.teamId, c.slackUserId, ws.client);
        if (!assignee.userId) return ephemeral(`${escapeMrkdwn(assignee.slackName)} has no linked Threadline account, so they cannot be assigned. They can run \`/${this.name} link\`.`);
        const updated = await this.tickets.update(ticket.id, { assigneeId: assignee.userId }, ctx);
        return ephemeral(`${c.number} is now assigned to *${escapeMrkdwn(updated.assignee?.name ?? assignee.slackName)}*.`);
      }
      case 'comment': {
        const ticket = await this.findTicket(c.number);
        if (!ticket) return this.unknownTicket(c.number);
        if (c.body.length > MAX_COMMENT_BODY) return ephemeral(`The comment is too long (at most ${MAX_COMMENT_BODY} characters).`);
        await this.comments.create(ticket.id, { body: c.body, authorId: person.userId, source: 'slack' }, ctx);
        return ephemeral(`Comment added to ${c.number}.`);
      }
      case 'mine':
        return this.list('Your open tickets', { status: OPEN, assigneeId: person.userId! }, person.userId!);
      case 'team':
        return this.list('Open tickets of the team', { status: OPEN }, person.userId!);
      case 'open-critical':
        return this.list('Open critical tickets', { status: OPEN, priority: ['critical'] }, person.userId!);
      default:
        return ephemeral(this.usage());
    }
  }

  private async list(heading: string, filter: Partial<ListTicketsQuery>, callerId: string): Promise<CommandResponse> {
    const query = Object.assign(new ListTicketsQuery(), { sort: 'priority', limit: LIST_LIMIT + 1, ...filter }) as ListTicketsQuery;
    const page = await this.tickets.list(query, callerId);
    const items = page.items.slice(0, LIST_LIMIT);
    if (!items.length) return ephemeral(`*${heading}*: none. :tada:`);
    const lines = items.map(
      (t: TicketRecord) =>
        `${PRIORITY_EMOJI[t.priority]} <${this.support.ticketUrl(t.number)}|${formatTicketNumber(t.number)}> ${escapeMrkdwn(t.title)} — ${STATUS_LABELS[t.status]}, ${t.assignee ? escapeMrkdwn(t.assignee.name) : '_unassigned_'}`,
    );
    const more = page.items.length > LIST_LIMIT || page.nextCursor ? `\n…and more: ${this.support.ticketsUrl()}` : '';
    return ephemeral(`*${heading}*\n${lines.join('\n')}${more}`);
  }

  private async findTicket(number: string): Promise<TicketRecord | null> {
    try {
      return await this.tickets.get(number);
    } catch (err) {
      if (describeApiError(err) !== null && (err as { getStatus(): number }).getStatus() === 404) return null;
      throw err;
    }
  }

  private unknownTicket(number: string): CommandResponse {
    return ephemeral(`There is no ticket ${number}. Check the number, or list tickets with \`/${this.name} mine\` or \`/${this.name} team\`.`);
  }

  /** `/ticket link [email]`: links by the Slack profile's email; an admin can link anyone else. */
  private async link(ws: Workspace, cmd: SlashCommand, email?: string): Promise<CommandResponse> {
    const current = await this.directory.findLink(ws.teamId, cmd.userId);
    if (current?.userId) return ephemeral(`You are already linked to ${escapeMrkdwn(current.userName ?? '')}.`);
    let profileEmail: string | null = null;
    try {
      const info = await ws.client.users.info({ user: cmd.userId });
      profileEmail = info.user?.profile?.email?.toLowerCase() ?? null;
    } catch (err) {
      this.logger.warn(`users.info failed for ${cmd.userId}: ${classifySlackError(err).message}`);
      return ephemeral('I could not read your Slack profile just now; please try again in a moment.');
    }
    const adminHint = 'A Threadline admin can link you instead (Integrations › Slack › user links).';
    if (!profileEmail) return ephemeral(`Your Slack profile shows no email I may read, so I cannot link you myself. ${adminHint}`);
    if (email && email !== profileEmail) {
      return ephemeral(`For your safety I link by the email on your Slack profile (${escapeMrkdwn(profileEmail)}), which is not ${escapeMrkdwn(email)}. ${adminHint}`);
    }
    const account = await this.users.findByEmail(profileEmail);
    if (!account || !account.active) return ephemeral(`No active Threadline account uses ${escapeMrkdwn(profileEmail)}. ${adminHint}`);
    await this.directory.link(ws.teamId, cmd.userId, account.id, 'command');
    const moved = await this.comments.attributeExternalAuthor(slackAuthorId(ws.teamId, cmd.userId), account.id);
    return ephemeral(
      `Linked! Your Slack account is now ${escapeMrkdwn(account.name)} (${escapeMrkdwn(account.email)}) in Threadline.` +
        (moved ? ` ${moved} earlier comment${moved === 1 ? ' is' : 's are'} now attributed to you.` : ''),
    );
  }
}
