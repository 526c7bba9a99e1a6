import type { CommentView, TicketView } from '../ticket-view';

/** Test data builders for the Slack view models. */

export const FIXED_NOW = new Date('2024-05-01T12:00:00.000Z');

export function minutesFromNow(minutes: number, now: Date = FIXED_NOW): string {
  return new Date(now.getTime() + minutes * 60_000).toISOString();
}

export function aTicket(overrides: Partial<TicketView> = {}): TicketView {
  return {
    id: '3f0c8a52-5d8e-4f7e-9b59-0d6a8c1e2f11',
    number: 'TKT-12',
    title: 'Printer on fire',
    description: 'The **printer** on floor 3 is _on fire_.\n- smoke\n- flames',
    status: 'open',
    priority: 'critical',
    requester: { name: 'Rita Requester', slackUserId: 'U0REQ' },
    assignee: { name: 'Jane Agent', slackUserId: 'U0JANE' },
    project: { key: 'OPS', name: 'Operations' },
    sla: {
      firstResponse: { dueAt: minutesFromNow(125), completedAt: null, status: 'running' },
      resolution: { dueAt: minutesFromNow(-12), completedAt: null, status: 'breached' },
    },
    url: 'https://threadline.example/tickets/TKT-12',
    ...overrides,
  };
}

export function aComment(overrides: Partial<CommentView> = {}): CommentView {
  return {
    id: 'c-1',
    author: { name: 'Jane Agent', slackUserId: 'U0JANE' },
    body: 'Turned it **off** and on again.',
    visibility: 'public',
    createdAt: FIXED_NOW.toISOString(),
    ...overrides,
  };
}

/** Strings that try to smuggle mentions, links or entities into a message. */
export const HOSTILE_STRINGS = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@U0ATTACKER>',
  '<#C0SECRET|secret>',
  '<https://evil.example|click>',
  '@everyone',
  '&lt;!channel&gt;',
  '<!subteam^S123|@admins>',
];

/** 100k characters mixing ASCII, markup, surrogate pairs and hostile sequences. */
export function hugeHostileText(length = 100_000): string {
  const unit = 'Ab 😀 **b** <!channel> & `c` [x](https://e.example) 👩‍💻 ';
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}
