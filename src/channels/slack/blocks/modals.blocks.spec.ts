import type { InputBlock, PlainTextInput, StaticSelect } from '@slack/types';
import {
  buildCommentModal,
  buildCreateTicketModal,
  buildResolveModal,
  INTERNAL_VISIBILITY_VALUE,
  MODAL_INPUTS,
  TICKET_TITLE_MAX,
} from './modals.blocks';
import { TICKET_MODALS } from './slack-message';
import { expectValidView } from './testing/message-assertions';
import { hugeHostileText } from './testing/ticket-view.fixture';

const input = (view: { blocks: unknown[] }, blockId: string) =>
  view.blocks.find((b) => (b as InputBlock).block_id === blockId) as InputBlock | undefined;

describe('buildCommentModal', () => {
  const view = buildCommentModal('ticket-1', 'TKT-12');

  it('identifies itself and the ticket', () => {
    expect(view.callback_id).toBe(TICKET_MODALS.comment);
    expect(view.private_metadata).toBe('ticket-1');
    expect(view.title.text).toBe('Comment on TKT-12');
  });

  it('asks for a multiline comment body', () => {
    const body = input(view, MODAL_INPUTS.comment.block_id)!;
    expect(body.element).toMatchObject({ type: 'plain_text_input', action_id: 'body', multiline: true });
    expect(body.optional).toBe(false);
  });

  it('offers an optional internal-note checkbox', () => {
    const visibility = input(view, MODAL_INPUTS.commentVisibility.block_id)!;
    expect(visibility.optional).toBe(true);
    expect(visibility.element).toMatchObject({
      type: 'checkboxes',
      action_id: MODAL_INPUTS.commentVisibility.action_id,
      options: [expect.objectContaining({ value: INTERNAL_VISIBILITY_VALUE })],
    });
  });

  it('is a valid modal', () => {
    expectValidView(view);
  });

  it('keeps the title within 24 characters for long ticket numbers', () => {
    const long = buildCommentModal('t', 'TKT-1234567890123');
    expect(long.title.text.length).toBeLessThanOrEqual(24);
    expect(long.title.text.endsWith('…')).toBe(true);
    expectValidView(long);
  });
});

describe('buildResolveModal', () => {
  const view = buildResolveModal('ticket-1', 'TKT-12');

  it('asks for a required resolution note', () => {
    expect(view.callback_id).toBe(TICKET_MODALS.resolve);
    expect(view.private_metadata).toBe('ticket-1');
    const note = input(view, 'resolution')!;
    expect(note.element).toMatchObject({ type: 'plain_text_input', action_id: 'note', multiline: true });
    expect(note.optional).toBe(false);
    expectValidView(view);
  });
});

describe('buildCreateTicketModal', () => {
  it('has title, description and priority inputs, priority defaulting to medium', () => {
    const view = buildCreateTicketModal();
    expect(view.callback_id).toBe(TICKET_MODALS.create);
    expect(input(view, 'title')).toBeDefined();
    expect(input(view, 'description')!.optional).toBe(true);
    const priority = input(view, 'priority')!.element as StaticSelect;
    expect(priority.options!.map((o) => o.value)).toEqual(['critical', 'high', 'medium', 'low']);
    expect(priority.initial_option!.value).toBe('medium');
    expect(input(view, 'project')).toBeUndefined();
    expect(view.private_metadata).toBeUndefined();
    expectValidView(view);
  });

  it('prefills title and description', () => {
    const view = buildCreateTicketModal({ prefillTitle: ' VPN\n down ', prefillDescription: 'Since **9am**' });
    expect((input(view, 'title')!.element as PlainTextInput).initial_value).toBe('VPN down');
    expect((input(view, 'description')!.element as PlainTextInput).initial_value).toBe('Since **9am**');
  });

  it('cuts prefills to what the inputs accept', () => {
    const view = buildCreateTicketModal({ prefillTitle: hugeHostileText(), prefillDescription: hugeHostileText() });
    const title = (input(view, 'title')!.element as PlainTextInput).initial_value!;
    const description = (input(view, 'description')!.element as PlainTextInput).initial_value!;
    expect(title.length).toBeLessThanOrEqual(TICKET_TITLE_MAX);
    expect(description.length).toBeLessThanOrEqual(3000);
    expect(title).not.toMatch(/[\uD800-\uDBFF]$/);
  });

  it('offers an optional project select when projects are given', () => {
    const view = buildCreateTicketModal({
      projects: [
        { key: 'OPS', name: 'Operations' },
        { key: 'IT', name: 'R&D <IT>' },
      ],
      privateMetadata: '{"channel":"C1"}',
    });
    const project = input(view, 'project')!;
    expect(project.optional).toBe(true);
    expect((project.element as StaticSelect).options!.map((o) => o.value)).toEqual(['OPS', 'IT']);
    expect(view.private_metadata).toBe('{"channel":"C1"}');
    expectValidView(view);
  });

  it('caps the project list at 100 options', () => {
    const projects = Array.from({ length: 250 }, (_, i) => ({ key: `P${i}`, name: `Project ${i}` }));
    const select = input(buildCreateTicketModal({ projects }), 'project')!.element as StaticSelect;
    expect(select.options).toHaveLength(100);
  });

  it('rejects oversized private metadata', () => {
    expect(() => buildCreateTicketModal({ privateMetadata: 'x'.repeat(3001) })).toThrow(RangeError);
  });
});
