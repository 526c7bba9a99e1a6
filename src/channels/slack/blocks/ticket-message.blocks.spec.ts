import type { ActionsBlock, Button, HeaderBlock, KnownBlock, SectionBlock, StaticSelect } from '@slack/types';
import { TICKET_ACTIONS } from './slack-message';
import {
  buildTicketMessage,
  decodeStatusOptionValue,
  DESCRIPTION_EXCERPT_MAX,
  encodeStatusOptionValue,
} from './ticket-message.blocks';
import { expectSlackSafe } from './testing/message-assertions';
import { aTicket, FIXED_NOW, HOSTILE_STRINGS, hugeHostileText } from './testing/ticket-view.fixture';
import type { TicketPriority, TicketView } from './ticket-view';

const build = (overrides: Partial<TicketView> = {}) => buildTicketMessage(aTicket(overrides), { now: FIXED_NOW });
const byId = <T extends KnownBlock>(blocks: KnownBlock[], id: string) => blocks.find((b) => b.block_id === id) as T;
const header = (blocks: KnownBlock[]) => byId<HeaderBlock>(blocks, 'ticket_header');
const fieldTexts = (blocks: KnownBlock[]) => byId<SectionBlock>(blocks, 'ticket_fields').fields!.map((f) => f.text);
const actions = (blocks: KnownBlock[]) => byId<ActionsBlock>(blocks, 'ticket_actions').elements;
const buttonById = (blocks: KnownBlock[], actionId: string) =>
  actions(blocks).find((e) => 'action_id' in e && e.action_id === actionId) as Button | undefined;
const TRUSTED = ['U0REQ', 'U0JANE'];

describe('buildTicketMessage', () => {
  it('sets a plain-text fallback with priority marker, number, priority and title', () => {
    expect(build().text).toBe(':red_circle: TKT-12 [critical] Printer on fire');
  });

  it.each<[TicketPriority, string]>([
    ['critical', ':red_circle:'],
    ['high', ':large_orange_circle:'],
    ['medium', ':large_yellow_circle:'],
    ['low', ':white_circle:'],
  ])('marks %s priority with %s in the header', (priority, emoji) => {
    expect(header(build({ priority }).blocks).text.text).toBe(`${emoji} TKT-12 Printer on fire`);
  });

  it('lists status, priority, people, project and SLA fields', () => {
    expect(fieldTexts(build().blocks)).toEqual([
      '*Status*\nOpen',
      '*Priority*\n:red_circle: Critical',
      '*Requester*\n<@U0REQ>',
      '*Assignee*\n<@U0JANE>',
      '*Project*\nOperations (OPS)',
      '*First response due*\nin 2h 5m',
      '*Resolution due*\n:rotating_light: breached 12m ago',
    ]);
  });

  it('shows unassigned tickets and people without Slack ids by escaped name', () => {
    const fields = fieldTexts(build({ assignee: undefined, requester: { name: 'Bob <!here>' } }).blocks);
    expect(fields).toContain('*Assignee*\n_Unassigned_');
    expect(fields).toContain('*Requester*\n*Bob &lt;!here&gt;*');
  });

  it('omits project and SLA fields when absent', () => {
    expect(fieldTexts(build({ project: undefined, sla: undefined }).blocks)).toHaveLength(4);
  });

  it('renders the description as mrkdwn', () => {
    const description = byId<SectionBlock>(build().blocks, 'ticket_description');
    expect(description.text!.text).toBe('The *printer* on floor 3 is _on fire_.\n• smoke\n• flames');
  });

  it('limits the description to an excerpt', () => {
    const description = byId<SectionBlock>(build({ description: 'y'.repeat(10_000) }).blocks, 'ticket_description');
    expect(description.text!.text).toHaveLength(DESCRIPTION_EXCERPT_MAX);
    expect(description.text!.text.endsWith('…')).toBe(true);
  });

  it('omits the description block for a blank description', () => {
    expect(byId(build({ description: '  ' }).blocks, 'ticket_description')).toBeUndefined();
  });

  it('offers View, Assign to me, Add comment and Resolve buttons carrying the ticket id', () => {
    const { blocks } = build();
    const view = buttonById(blocks, TICKET_ACTIONS.view)!;
    expect(view.url).toBe('https://threadline.example/tickets/TKT-12');
    for (const id of [TICKET_ACTIONS.view, TICKET_ACTIONS.assignMe, TICKET_ACTIONS.addComment, TICKET_ACTIONS.resolve]) {
      expect(buttonById(blocks, id)?.value).toBe(aTicket().id);
    }
    expect(buttonById(blocks, TICKET_ACTIONS.resolve)!.style).toBe('primary');
  });

  it.each(['resolved', 'closed'] as const)('omits Resolve when the ticket is %s', (status) => {
    expect(buttonById(build({ status }).blocks, TICKET_ACTIONS.resolve)).toBeUndefined();
  });

  it('omits View when the ticket URL is not http(s)', () => {
    expect(buttonById(build({ url: 'javascript:alert(1)' }).blocks, TICKET_ACTIONS.view)).toBeUndefined();
  });

  it('offers a status select with every workflow status and the current one selected', () => {
    const select = actions(build({ status: 'pending' }).blocks).find(
      (e) => e.type === 'static_select',
    ) as StaticSelect;
    expect(select.action_id).toBe(TICKET_ACTIONS.setStatus);
    expect(select.options!.map((o) => decodeStatusOptionValue(o.value!)!.status)).toEqual([
      'new',
      'open',
      'in_progress',
      'pending',
      'resolved',
      'closed',
    ]);
    expect(select.initial_option).toEqual(select.options![3]);
    expect(decodeStatusOptionValue(select.initial_option!.value!)).toEqual({ ticketId: aTicket().id, status: 'pending' });
  });

  it('produces a message Slack accepts for a realistic ticket', () => {
    expectSlackSafe(build(), TRUSTED);
  });

  it.each(HOSTILE_STRINGS)('never lets a title or description containing %j mention or link', (hostile) => {
    const message = build({
      title: `Help ${hostile} now`,
      description: `${hostile}\n**${hostile}**\n[${hostile}](https://ok.example)`,
      requester: { name: hostile },
      assignee: { name: hostile, slackUserId: `<!channel>` },
      project: { key: hostile, name: hostile },
    });
    expectSlackSafe(message);
  });

  it('keeps absurdly long, emoji-heavy and hostile input within every limit', () => {
    const huge = hugeHostileText();
    const message = build({
      number: huge,
      title: huge,
      description: huge,
      requester: { name: huge },
      assignee: { name: huge },
      project: { key: huge, name: huge },
      id: 'x'.repeat(3000),
    });
    expectSlackSafe(message);
    const headerText = header(message.blocks).text.text;
    expect(headerText.length).toBeLessThanOrEqual(150);
    expect(headerText.length).toBeGreaterThan(140);
    expect(headerText.endsWith('…')).toBe(true);
  });

  it('defaults the SLA clock to the current time', () => {
    const ticket = aTicket({ sla: { firstResponse: { dueAt: null, completedAt: null, status: 'met' } } });
    expect(fieldTexts(buildTicketMessage(ticket).blocks)).toContain('*First response due*\n:white_check_mark: met');
  });
});

describe('status option values', () => {
  it('round-trip ticket id and status', () => {
    expect(decodeStatusOptionValue(encodeStatusOptionValue('a|b', 'in_progress'))).toEqual({
      ticketId: 'a|b',
      status: 'in_progress',
    });
  });

  it.each(['', 'abc', '|open', 'id|bogus'])('reject malformed value %j', (value) => {
    expect(decodeStatusOptionValue(value)).toBeUndefined();
  });
});
