import type { SectionBlock } from '@slack/types';
import { expectSlackSafe, mentionsIn } from './testing/message-assertions';
import { aComment, aTicket, FIXED_NOW, HOSTILE_STRINGS, hugeHostileText } from './testing/ticket-view.fixture';
import {
  buildAssignmentDm,
  buildChangeReply,
  buildCommentReply,
  buildSlaAlert,
  buildTestMessage,
} from './thread-reply.blocks';

const sectionText = (message: { blocks: unknown[] }) => (message.blocks[0] as SectionBlock).text!.text;

describe('buildCommentReply', () => {
  it('shows the author as a mention and the body as mrkdwn', () => {
    const message = buildCommentReply(aComment());
    expect(sectionText(message)).toBe('<@U0JANE>\nTurned it *off* and on again.');
    expect(message.text).toBe('<@U0JANE>: Turned it **off** and on again.');
    expectSlackSafe(message, ['U0JANE']);
  });

  it('shows authors without a Slack id by bold escaped name', () => {
    const message = buildCommentReply(aComment({ author: { name: 'Eve <@U0BOSS>' } }));
    expect(sectionText(message)).toMatch(/^\*Eve &lt;@U0BOSS&gt;\*\n/);
    expect(mentionsIn(message)).toEqual([]);
  });

  it('mentions only well-formed trusted ids', () => {
    const message = buildCommentReply(aComment({ author: { name: 'Eve', slackUserId: 'U1> <!channel' } }));
    expect(mentionsIn(message)).toEqual([]);
    expectSlackSafe(message);
  });

  it('marks internal notes', () => {
    expect(sectionText(buildCommentReply(aComment({ visibility: 'internal' })))).toContain(':lock: _internal note_');
  });

  it('says so when the body is empty', () => {
    expect(sectionText(buildCommentReply(aComment({ body: '   ' })))).toContain('_(empty comment)_');
  });

  it.each(HOSTILE_STRINGS)('cannot be abused by a body containing %j', (hostile) => {
    expectSlackSafe(buildCommentReply(aComment({ body: `x ${hostile} **${hostile}**` })), ['U0JANE']);
  });

  it('keeps a 100k character comment within limits', () => {
    const message = buildCommentReply(aComment({ body: hugeHostileText(), author: { name: hugeHostileText() } }));
    expectSlackSafe(message);
  });
});

describe('buildChangeReply', () => {
  const ticket = aTicket();

  it('describes a status change with resolution time', () => {
    const message = buildChangeReply({
      actorName: 'Jane',
      ticket,
      changes: [{ field: 'status', from: 'open', to: 'resolved' }],
      resolvedInMs: (3 * 60 + 12) * 60_000,
    });
    expect(message.text).toBe('*Jane* changed status: open → resolved (resolved in 3h 12m)');
    expect(sectionText(message)).toBe(message.text);
    expectSlackSafe(message);
  });

  it('lists several changes and shows empty values as none', () => {
    const message = buildChangeReply({
      actorName: 'Jane',
      ticket,
      changes: [
        { field: 'priority', from: 'low', to: 'high' },
        { field: 'assignee', from: null, to: 'Bob' },
      ],
    });
    expect(message.text).toBe('*Jane* changed priority: low → high, assignee: _none_ → Bob');
  });

  it('escapes actor names and values', () => {
    const message = buildChangeReply({
      actorName: '<!channel>',
      ticket,
      changes: [{ field: 'title', from: '<!here>', to: hugeHostileText() }],
    });
    expectSlackSafe(message);
  });
});

describe('buildSlaAlert', () => {
  it('mentions the assignee on a breach and links the ticket', () => {
    const message = buildSlaAlert({ ticket: aTicket(), kind: 'sla.breached', target: 'resolution', now: FIXED_NOW });
    expect(sectionText(message)).toBe(
      ':rotating_light: Resolution SLA breached: <https://threadline.example/tickets/TKT-12|TKT-12> Printer on fire\n' +
        '<@U0JANE> · :rotating_light: breached 12m ago',
    );
    expect(message.text).toContain('<@U0JANE>');
    expectSlackSafe(message, ['U0JANE']);
  });

  it('prefers an explicitly given assignee id', () => {
    const message = buildSlaAlert({
      ticket: aTicket(),
      kind: 'sla.warning',
      target: 'firstResponse',
      assigneeSlackUserId: 'U0OTHER',
      now: FIXED_NOW,
    });
    expect(mentionsIn(message)).toEqual(['U0OTHER', 'U0OTHER']);
    expect(sectionText(message)).toMatch(/^:warning: First response SLA at risk/);
  });

  it('asks for an owner when nobody is assigned', () => {
    const message = buildSlaAlert({ ticket: aTicket({ assignee: undefined }), kind: 'ticket.overdue', target: 'resolution' });
    expect(sectionText(message)).toContain('_No assignee_');
    expect(sectionText(message)).toMatch(/^:hourglass: Ticket overdue/);
    expect(mentionsIn(message)).toEqual([]);
  });

  it('escapes hostile titles', () => {
    const message = buildSlaAlert({
      ticket: aTicket({ title: '<!everyone> ' + hugeHostileText(), url: 'https://x.example/a|<!here>' }),
      kind: 'sla.breached',
      target: 'firstResponse',
    });
    expectSlackSafe(message, ['U0JANE']);
  });
});

describe('buildAssignmentDm', () => {
  it('tells the assignee who assigned which ticket, with a View button', () => {
    const message = buildAssignmentDm(aTicket(), 'Jane');
    expect(message.text).toBe(
      '*Jane* assigned you <https://threadline.example/tickets/TKT-12|TKT-12>: Printer on fire',
    );
    expect(JSON.stringify(message.blocks)).toContain('"url":"https://threadline.example/tickets/TKT-12"');
    expectSlackSafe(message);
  });

  it('escapes the actor name and title', () => {
    expectSlackSafe(buildAssignmentDm(aTicket({ title: '<!channel>' }), '<@U0X>'));
  });
});

describe('buildTestMessage', () => {
  it('produces a valid confirmation message', () => {
    const message = buildTestMessage();
    expect(message.text).toContain('Threadline is connected');
    expectSlackSafe(message);
  });
});
