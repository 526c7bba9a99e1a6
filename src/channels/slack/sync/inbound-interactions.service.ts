import { Injectable, Logger } from '@nestjs/common';
import { CommentsService } from '../../../comments/comments.service';
import { MAX_COMMENT_BODY } from '../../../comments/dto/comment.dto';
import { isUuid } from '../../../common/uuid';
import { ChangeContext, TICKET_PRIORITIES, TicketPriority } from '../../../events/event-catalogue';
import { ProjectsService } from '../../../projects/projects.service';
import { canTransition } from '../../../tickets/ticket-workflow';
import { formatTicketNumber } from '../../../tickets/ticket.record';
import { TicketsService } from '../../../tickets/tickets.service';
import {
  buildCommentModal,
  buildCreateTicketModal,
  buildResolveModal,
  INTERNAL_VISIBILITY_VALUE,
  MODAL_INPUTS,
} from '../blocks/modals.blocks';
import { TICKET_ACTIONS, TICKET_MODALS } from '../blocks/slack-message';
import { decodeStatusOptionValue } from '../blocks/ticket-message.blocks';
import { STATUS_LABELS } from '../blocks/ticket-view';
import { InboundSlackSettings } from '../config/inbound-settings';
import { SlackInstallationsService } from '../installations/slack-installations.service';
import { classifySlackError } from '../slack-client/slack-errors';
import { SlackPerson, SlackUserDirectory } from '../users/slack-user-directory.service';
import { Interaction, inputValue, selectedValue, selectedValues, SLACK_ID } from './inbound-payloads';
import { actorOf, describeApiError, EphemeralTarget, InboundSlackSupport, linkHelp } from './inbound-support';
import { InboundThreadSync, Workspace } from './inbound-thread-sync.service';
import { slackOrigin } from './inbound-threads.repository';
import { InboundTriage, TITLE_MAX, titleFrom } from './inbound-triage.service';
import { InboundWorkQueue } from './inbound-work-queue';

/** Shortcut callback ids (configure them in the Slack app manifest). */
export const TICKET_SHORTCUTS = {
  create: 'ticket.create',
  createFromMessage: 'ticket.create_from_message',
} as const;

const DESCRIPTION_MAX = 65536;

type Errors = { response_action: 'errors'; errors: Record<string, string> };
const errors = (e: Record<string, string>): Errors => ({ response_action: 'errors', errors: e });

type BlockActions = Extract<Interaction, { type: 'block_actions' }>;
type Submission = Extract<Interaction, { type: 'view_submission' }>;
type Shortcut = Extract<Interaction, { type: 'shortcut' }>;
type MessageAction = Extract<Interaction, { type: 'message_action' }>;

/**
 * Buttons, selects, shortcuts and modal submissions.
 * - Buttons, selects and shortcuts: acknowledged at once (empty 200); the work runs right after in
 *   this process (views.open must use the trigger_id within 3 seconds, so no queue hop), and the
 *   answer is an ephemeral message.
 * - Modal submissions: validated and applied before answering, because only the HTTP answer can
 *   show field errors (`response_action: errors`). Bounded by SLACK_ACK_DEADLINE_MS: if the work takes
 *   longer, Slack gets its answer anyway and the outcome goes to the person by DM.
 * Only people linked to an account (agents and admins) may change tickets.
 */
@Injectable()
export class InboundInteractionsService {
  private readonly logger = new Logger('SlackInbound');

  constructor(
    private readonly settings: InboundSlackSettings,
    private readonly installations: SlackInstallationsService,
    private readonly directory: SlackUserDirectory,
    private readonly tickets: TicketsService,
    private readonly comments: CommentsService,
    private readonly projects: ProjectsService,
    private readonly triage: InboundTriage,
    private readonly sync: InboundThreadSync,
    private readonly support: InboundSlackSupport,
    private readonly queue: InboundWorkQueue,
  ) {}

  /** Returns the HTTP answer's body (null: an empty 200). */
  async handle(i: Interaction): Promise<Record<string, unknown> | null> {
    switch (i.type) {
      case 'ignored':
        return null;
      case 'block_actions':
        this.queue.runInProcess(`${i.teamId}:${i.userId}`, () => this.onActions(i));
        return null;
      case 'shortcut':
      case 'message_action':
        this.queue.runInProcess(`${i.teamId}:${i.userId}`, () => this.onShortcut(i));
        return null;
      case 'view_submission':
        return this.onSubmissionWithin(i);
    }
  }

  private async workspace(teamId: string): Promise<Workspace | null> {
    const found = await this.installations.client(teamId);
    return found ? { teamId, client: found.client, botUserId: found.installation.botUserId } : null;
  }

  private context(ws: Workspace, person: SlackPerson, via: string, channel?: string | null): ChangeContext {
    return { actor: actorOf(person, ws.teamId), origin: slackOrigin({ team: ws.teamId, channel: channel ?? undefined, via }) };
  }

  // ------------------------------------------------------------------------------------------
  // buttons and selects
  // ------------------------------------------------------------------------------------------

  private async onActions(i: BlockActions): Promise<void> {
    const ws = await this.workspace(i.teamId);
    if (!ws) return;
    const target: EphemeralTarget = { client: ws.client, user: i.userId, channel: i.channelId, responseUrl: i.responseUrl };
    for (const action of i.actions.slice(0, 5)) {
      try {
        await this.onAction(ws, i, action.actionId, action.value, target);
      } catch (err) {
        const known = describeApiError(err);
        if (!known) this.logger.error(`Slack action ${action.actionId} failed: ${err instanceof Error ? err.stack : err}`);
        await this.support.ephemeral(target, known ?? 'Sorry, that did not work. Please try again in a moment.');
      }
    }
  }

  private async onAction(ws: Workspace, i: BlockActions, actionId: string, value: string | null, target: EphemeralTarget): Promise<void> {
    const known = Object.values(TICKET_ACTIONS) as string[];
    if (!known.includes(actionId)) {
      await this.support.ephemeral(target, `Sorry, that action isn't supported.`);
      return;
    }
    if (actionId === TICKET_ACTIONS.view) return; // a link button: Slack opens the URL
    const person = await this.directory.resolve(ws.teamId, i.userId, ws.client);
    if (!person.userId) {
      await this.support.ephemeral(target, linkHelp(this.support.commandName));
      return;
    }
    const ctx = this.context(ws, person, 'button', i.channelId);
    if (actionId === TICKET_ACTIONS.setStatus) {
      const decoded = value ? decodeStatusOptionValue(value) : undefined;
      if (!decoded || !isUuid(decoded.ticketId)) return this.support.ephemeral(target, 'That status option is not valid.');
      const ticket = await this.tickets.update(decoded.ticketId, { status: decoded.status }, ctx);
      return this.support.ephemeral(target, `${formatTicketNumber(ticket.number)} is now ${STATUS_LABELS[ticket.status]}.`);
    }
    if (!value || !isUuid(value)) return this.support.ephemeral(target, 'That button does not name a ticket.');
    switch (actionId) {
      case TICKET_ACTIONS.assignMe: {
        const ticket = await this.tickets.update(value, { assigneeId: person.userId }, ctx);
        return this.support.ephemeral(target, `You are now the assignee of ${formatTicketNumber(ticket.number)}.`);
      }
      case TICKET_ACTIONS.addComment:
      case TICKET_ACTIONS.resolve: {
        const ticket = await this.tickets.get(value);
        if (!i.triggerId) return this.support.ephemeral(target, 'Slack did not send what is needed to open a form; please try again.');
        const number = formatTicketNumber(ticket.number);
        const view = actionId === TICKET_ACTIONS.addComment ? buildCommentModal(ticket.id, number) : buildResolveModal(ticket.id, number);
        await ws.client.views.open({ trigger_id: i.triggerId, view }).catch(async (err) => {
          this.logger.warn(`views.open failed: ${classifySlackError(err).message}`);
          await this.support.ephemeral(target, 'Could not open the form (it may have taken too long); please click again.');
        });
        return;
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // shortcuts
  // ------------------------------------------------------------------------------------------

  private async onShortcut(i: Shortcut | MessageAction): Promise<void> {
    const ws = await this.workspace(i.teamId);
    if (!ws) return;
    const target: EphemeralTarget = { client: ws.client, user: i.userId, responseUrl: i.responseUrl, channel: i.type === 'message_action' ? i.channelId : null };
    const expected = i.type === 'shortcut' ? TICKET_SHORTCUTS.create : TICKET_SHORTCUTS.createFromMessage;
    if (i.callbackId !== expected) return this.support.ephemeral(target, `Sorry, that shortcut isn't supported.`);
    if (!i.triggerId) return;
    const projects = (await this.projects.list()).slice(0, 100).map((p) => ({ key: p.key, name: p.name }));
    let view;
    if (i.type === 'shortcut') view = buildCreateTicketModal({ projects });
    else {
      if (!i.message) return this.support.ephemeral(target, 'Tickets can be created from messages written by people only.');
      const text = await this.triageText(ws, i.message);
      view = buildCreateTicketModal({
        projects,
        prefillTitle: titleFrom(text, ''),
        prefillDescription: text,
        privateMetadata: JSON.stringify({ c: i.channelId, ts: i.messageTs }),
      });
    }
    await ws.client.views.open({ trigger_id: i.triggerId, view }).catch((err) => this.logger.warn(`views.open failed: ${classifySlackError(err).message}`));
  }

  /** Same rendering as a thread reply (mentions as names, files as links). */
  private triageText(ws: Workspace, message: NonNullable<MessageAction['message']>): Promise<string> {
    return this.sync.renderBody(ws, message);
  }

  // ------------------------------------------------------------------------------------------
  // modal submissions
  // ------------------------------------------------------------------------------------------

  private async onSubmissionWithin(i: Submission): Promise<Record<string, unknown> | null> {
    const work = this.onSubmission(i).catch((err): Errors | null => {
      const known = describeApiError(err);
      if (!known) this.logger.error(`Slack modal ${i.callbackId} failed: ${err instanceof Error ? err.stack : err}`);
      const block = FIRST_BLOCK[i.callbackId];
      return block ? errors({ [block]: known ?? 'Sorry, that did not work. Please try again.' }) : null;
    });
    let late = false;
    const timer = new Promise<'late'>((r) => setTimeout(() => r('late'), this.settings.SLACK_ACK_DEADLINE_MS).unref());
    const result = await Promise.race([work, timer]);
    if (result !== 'late') return result;
    late = true;
    // Slack would give up on us: answer now (the modal closes) and tell the person the outcome later.
    void work.then(async (outcome) => {
      if (!late || !outcome) return;
      const ws = await this.workspace(i.teamId);
      if (ws) await this.support.ephemeral({ client: ws.client, user: i.userId }, `Your form could not be saved: ${Object.values(outcome.errors).join(' ')}`);
    });
    return null;
  }

  private async onSubmission(i: Submission): Promise<Errors | null> {
    const ws = await this.workspace(i.teamId);
    if (!ws) return null;
    switch (i.callbackId) {
      case TICKET_MODALS.comment:
        return this.submitComment(ws, i);
      case TICKET_MODALS.resolve:
        return this.submitResolve(ws, i);
      case TICKET_MODALS.create:
        return this.submitCreate(ws, i);
      default:
        return null; // not our modal: close it, store nothing
    }
  }

  private async linkedOrErrors(ws: Workspace, i: Submission, block: string): Promise<SlackPerson | Errors> {
    const person = await this.directory.resolve(ws.teamId, i.userId, ws.client);
    return person.userId ? person : errors({ [block]: linkHelp(this.support.commandName) });
  }

  private async submitComment(ws: Workspace, i: Submission): Promise<Errors | null> {
    const block = MODAL_INPUTS.comment.block_id;
    const body = inputValue(i.values, MODAL_INPUTS.comment)?.trim() ?? '';
    if (!body) return errors({ [block]: 'Write a comment.' });
    if (body.length > MAX_COMMENT_BODY) return errors({ [block]: `A comment can have at most ${MAX_COMMENT_BODY} characters.` });
    if (!isUuid(i.privateMetadata)) return errors({ [block]: 'This form no longer names a ticket; open it again from the ticket.' });
    const person = await this.linkedOrErrors(ws, i, block);
    if ('errors' in person) return person;
    const internal = selectedValues(i.values, MODAL_INPUTS.commentVisibility).includes(INTERNAL_VISIBILITY_VALUE);
    const ticket = await this.tickets.get(i.privateMetadata);
    await this.comments.create(
      ticket.id,
      {
        body,
        authorId: person.userId,
        visibility: internal ? 'internal' : 'public',
        source: 'slack',
        ...(i.viewId && { externalRef: `slack-view:${ws.teamId}:${i.viewId}` }),
      },
      this.context(ws, person, 'modal'),
    );
    return null;
  }

  private async submitResolve(ws: Workspace, i: Submission): Promise<Errors | null> {
    const block = MODAL_INPUTS.resolution.block_id;
    const note = inputValue(i.values, MODAL_INPUTS.resolution)?.trim() ?? '';
    if (!note) return errors({ [block]: 'Say how it was resolved.' });
    if (note.length > MAX_COMMENT_BODY) return errors({ [block]: `The note can have at most ${MAX_COMMENT_BODY} characters.` });
    if (!isUuid(i.privateMetadata)) return errors({ [block]: 'This form no longer names a ticket; open it again from the ticket.' });
    const person = await this.linkedOrErrors(ws, i, block);
    if ('errors' in person) return person;
    const ticket = await this.tickets.get(i.privateMetadata);
    if (!canTransition(ticket.status, 'resolved')) {
      return errors({ [block]: `${formatTicketNumber(ticket.number)} is ${STATUS_LABELS[ticket.status]} and cannot be resolved now.` });
    }
    const ctx = this.context(ws, person, 'modal');
    await this.comments.create(
      ticket.id,
      { body: note, authorId: person.userId, source: 'slack', ...(i.viewId && { externalRef: `slack-view:${ws.teamId}:${i.viewId}` }) },
      ctx,
    );
    await this.tickets.update(ticket.id, { status: 'resolved' }, ctx);
    return null;
  }

  private async submitCreate(ws: Workspace, i: Submission): Promise<Errors | null> {
    const title = (inputValue(i.values, MODAL_INPUTS.title) ?? '').replace(/\s+/g, ' ').trim();
    const description = (inputValue(i.values, MODAL_INPUTS.description) ?? '').trim();
    const priorityValue = selectedValue(i.values, MODAL_INPUTS.priority) ?? 'medium';
    const projectKey = selectedValue(i.values, MODAL_INPUTS.project);
    const problems: Record<string, string> = {};
    if (!title) problems[MODAL_INPUTS.title.block_id] = 'Give the ticket a title.';
    else if (title.length > TITLE_MAX) problems[MODAL_INPUTS.title.block_id] = `The title can have at most ${TITLE_MAX} characters.`;
    if (description.length > DESCRIPTION_MAX) problems[MODAL_INPUTS.description.block_id] = `The description can have at most ${DESCRIPTION_MAX} characters.`;
    if (!(TICKET_PRIORITIES as readonly string[]).includes(priorityValue)) problems[MODAL_INPUTS.priority.block_id] = 'Choose a priority.';
    if (projectKey !== undefined && !(await this.projects.list()).some((p) => p.key === projectKey)) {
      problems[MODAL_INPUTS.project.block_id] = 'That project does not exist (any more).';
    }
    if (Object.keys(problems).length) return errors(problems);
    const priority = priorityValue as TicketPriority;
    const origin = parseOrigin(i.privateMetadata);

    if (origin) {
      const result = await this.triage.createFromMessage(ws, {
        channel: origin.c,
        ts: origin.ts,
        reporter: i.userId,
        via: 'message_shortcut',
        title,
        description: description || undefined,
        priority,
        projectKey,
      });
      if (result.kind === 'exists') {
        const existing = await this.tickets.get(result.ticketId);
        return errors({ [MODAL_INPUTS.title.block_id]: `This message's thread already belongs to ${formatTicketNumber(existing.number)}.` });
      }
      if (result.kind === 'not_found') return errors({ [MODAL_INPUTS.title.block_id]: 'The message is gone or I cannot read it (is the app in that channel?).' });
      return null;
    }
    const person = await this.directory.resolve(ws.teamId, i.userId, ws.client);
    const ticket = await this.tickets.create(
      { title, description, priority, ...(person.userId && { requesterId: person.userId }), ...(projectKey && { projectKey }) },
      this.context(ws, person, 'modal'),
    );
    this.queue.runInProcess(`${ws.teamId}:${i.userId}`, () =>
      this.support.ephemeral({ client: ws.client, user: i.userId }, `Created ${formatTicketNumber(ticket.number)}: ${ticket.title}\n${this.support.ticketUrl(ticket.number)}`),
    );
    return null;
  }
}

/** The block to attach an unexpected failure to, per modal. */
const FIRST_BLOCK: Record<string, string> = {
  [TICKET_MODALS.comment]: MODAL_INPUTS.comment.block_id,
  [TICKET_MODALS.resolve]: MODAL_INPUTS.resolution.block_id,
  [TICKET_MODALS.create]: MODAL_INPUTS.title.block_id,
};

function parseOrigin(meta: string): { c: string; ts: string } | null {
  if (!meta) return null;
  try {
    const o = JSON.parse(meta) as { c?: unknown; ts?: unknown };
    return typeof o.c === 'string' && SLACK_ID.channel.test(o.c) && typeof o.ts === 'string' && SLACK_ID.ts.test(o.ts) ? { c: o.c, ts: o.ts } : null;
  } catch {
    return null;
  }
}
