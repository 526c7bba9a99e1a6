import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { truncate } from '../text/slack-text';
import { enforceModalLimits, SLACK_LIMITS } from './limits';
import { mrkdwn, plain } from './mrkdwn-parts';
import { TICKET_MODALS } from './slack-message';
import { PRIORITY_EMOJI, PRIORITY_LABELS, TICKET_PRIORITIES, type TicketPriority } from './ticket-view';

/** block_id / action_id pairs the view_submission handlers read from `view.state.values`. */
export const MODAL_INPUTS = {
  comment: { block_id: 'comment', action_id: 'body' },
  commentVisibility: { block_id: 'visibility', action_id: 'internal' },
  resolution: { block_id: 'resolution', action_id: 'note' },
  title: { block_id: 'title', action_id: 'title' },
  description: { block_id: 'description', action_id: 'description' },
  priority: { block_id: 'priority', action_id: 'priority' },
  project: { block_id: 'project', action_id: 'project' },
} as const;

/** Value of the checkbox option that marks a comment as internal. */
export const INTERNAL_VISIBILITY_VALUE = 'internal';

/** Ticket titles longer than this are rejected by the input itself. */
export const TICKET_TITLE_MAX = 150;

function textInput(
  ids: { block_id: string; action_id: string },
  label: string,
  opts: { multiline?: boolean; initialValue?: string; placeholder?: string; maxLength?: number; optional?: boolean } = {},
): InputBlock {
  const maxLength = opts.maxLength ?? SLACK_LIMITS.inputInitialValue;
  return {
    type: 'input',
    block_id: ids.block_id,
    label: plain(label),
    optional: opts.optional ?? false,
    element: {
      type: 'plain_text_input',
      action_id: ids.action_id,
      multiline: opts.multiline ?? false,
      max_length: maxLength,
      // Input values are shown verbatim (not mrkdwn), so they are not escaped; only cut to fit.
      ...(opts.initialValue && { initial_value: truncate(opts.initialValue, maxLength) }),
      ...(opts.placeholder && { placeholder: plain(opts.placeholder) }),
    },
  };
}

function modal(callbackId: string, title: string, submit: string, blocks: KnownBlock[], privateMetadata?: string): ModalView {
  return enforceModalLimits({
    type: 'modal',
    callback_id: callbackId,
    title: plain(title),
    submit: plain(submit),
    close: plain('Cancel'),
    ...(privateMetadata !== undefined && { private_metadata: privateMetadata }),
    blocks,
  });
}

/** "Add comment" modal; private_metadata carries the ticket id. */
export function buildCommentModal(ticketId: string, ticketNumber: string): ModalView {
  return modal(
    TICKET_MODALS.comment,
    `Comment on ${ticketNumber}`,
    'Add comment',
    [
      textInput(MODAL_INPUTS.comment, 'Comment', { multiline: true, placeholder: 'Markdown is supported' }),
      {
        type: 'input',
        block_id: MODAL_INPUTS.commentVisibility.block_id,
        label: plain('Visibility'),
        optional: true,
        element: {
          type: 'checkboxes',
          action_id: MODAL_INPUTS.commentVisibility.action_id,
          options: [
            {
              text: plain('Internal note'),
              description: plain('Visible to agents only, not to the requester'),
              value: INTERNAL_VISIBILITY_VALUE,
            },
          ],
        },
      },
    ],
    ticketId,
  );
}

/** "Resolve" modal asking for a resolution note; private_metadata carries the ticket id. */
export function buildResolveModal(ticketId: string, ticketNumber: string): ModalView {
  return modal(
    TICKET_MODALS.resolve,
    `Resolve ${ticketNumber}`,
    'Resolve',
    [
      { type: 'section', text: mrkdwn('How was this resolved? The note is added to the ticket and its thread.') },
      textInput(MODAL_INPUTS.resolution, 'Resolution note', { multiline: true }),
    ],
    ticketId,
  );
}

export interface CreateTicketModalInput {
  prefillTitle?: string;
  prefillDescription?: string;
  projects?: { key: string; name: string }[];
  /** Opaque caller data (e.g. the originating channel/message); at most 3000 characters. */
  privateMetadata?: string;
}

function priorityOption(priority: TicketPriority): PlainTextOption {
  return { text: plain(`${PRIORITY_EMOJI[priority]} ${PRIORITY_LABELS[priority]}`), value: priority };
}

/** "New ticket" modal, optionally prefilled (e.g. from a message shortcut). */
export function buildCreateTicketModal(input: CreateTicketModalInput = {}): ModalView {
  const blocks: KnownBlock[] = [
    textInput(MODAL_INPUTS.title, 'Title', {
      initialValue: input.prefillTitle?.replace(/\s+/g, ' ').trim(),
      maxLength: TICKET_TITLE_MAX,
    }),
    textInput(MODAL_INPUTS.description, 'Description', {
      multiline: true,
      optional: true,
      initialValue: input.prefillDescription,
      placeholder: 'What happened? Markdown is supported',
    }),
    {
      type: 'input',
      block_id: MODAL_INPUTS.priority.block_id,
      label: plain('Priority'),
      element: {
        type: 'static_select',
        action_id: MODAL_INPUTS.priority.action_id,
        options: TICKET_PRIORITIES.map(priorityOption),
        initial_option: priorityOption('medium'),
      },
    },
  ];
  const projects = input.projects ?? [];
  if (projects.length > 0) {
    blocks.push({
      type: 'input',
      block_id: MODAL_INPUTS.project.block_id,
      label: plain('Project'),
      optional: true,
      element: {
        type: 'static_select',
        action_id: MODAL_INPUTS.project.action_id,
        placeholder: plain('Choose a project'),
        options: projects.map((p) => ({ text: plain(`${p.name} (${p.key})`), value: p.key })),
      },
    });
  }
  return modal(TICKET_MODALS.create, 'New ticket', 'Create', blocks, input.privateMetadata);
}
