import { COMMAND_USAGE, FULL_USAGE, parseTicketCommand, type TicketCommand } from './ticket-command.parser';

const parse = parseTicketCommand;

function expectError(input: string, messagePattern: RegExp, usage?: string): void {
  const result = parse(input);
  expect(result.kind).toBe('error');
  const err = result as Extract<TicketCommand, { kind: 'error' }>;
  expect(err.message).toMatch(messagePattern);
  expect(err.usage.length).toBeGreaterThan(0);
  if (usage) expect(err.usage).toBe(usage);
}

describe('parseTicketCommand', () => {
  describe('help', () => {
    it.each(['', '   ', 'help', 'HELP', '--help', '-h', '?'])('shows help for %j', (input) => {
      expect(parse(input)).toEqual({ kind: 'help' });
    });
  });

  describe('create', () => {
    it('takes a quoted title, description and --priority=value', () => {
      expect(parse('create "Printer on fire" "Floor 3, near HR" --priority=critical')).toEqual({
        kind: 'create',
        title: 'Printer on fire',
        description: 'Floor 3, near HR',
        priority: 'critical',
      });
    });

    it('accepts --priority with a separate value, anywhere', () => {
      expect(parse('create --priority high "VPN down"')).toEqual({ kind: 'create', title: 'VPN down', priority: 'high' });
    });

    it('accepts priority aliases case-insensitively', () => {
      expect(parse('create x --PRIORITY=P1')).toMatchObject({ priority: 'critical' });
      expect(parse('create x -p low')).toMatchObject({ priority: 'low' });
    });

    it('takes an unquoted single word as the title', () => {
      expect(parse('create Outage')).toEqual({ kind: 'create', title: 'Outage' });
    });

    it('takes the unquoted rest of the line as the title', () => {
      expect(parse('create  the wifi   is down again')).toEqual({ kind: 'create', title: 'the wifi is down again' });
    });

    it('takes an unquoted title followed by a quoted description', () => {
      expect(parse('create wifi down "since 9am"')).toEqual({
        kind: 'create',
        title: 'wifi down',
        description: 'since 9am',
      });
    });

    it('accepts smart quotes, including mixed smart and straight quotes', () => {
      expect(parse('create “Printer on fire” ‘really hot’')).toEqual({
        kind: 'create',
        title: 'Printer on fire',
        description: 'really hot',
      });
      expect(parse('create “Mixed quotes" x')).toMatchObject({ title: 'Mixed quotes', description: 'x' });
    });

    it('keeps apostrophes inside words and single-quoted titles', () => {
      expect(parse("create 'Can't print' \"it's broken\"")).toEqual({
        kind: 'create',
        title: "Can't print",
        description: "it's broken",
      });
      expect(parse('create Can’t print')).toMatchObject({ title: 'Can’t print' });
    });

    it('supports escaped quotes inside quotes', () => {
      expect(parse('create "The \\"big\\" one"')).toMatchObject({ title: 'The "big" one' });
    });

    it('unescapes the HTML entities Slack puts in command text', () => {
      expect(parse('create "R&amp;D &lt;urgent&gt;"')).toMatchObject({ title: 'R&D <urgent>' });
    });

    it('keeps multi-line quoted descriptions', () => {
      expect(parse('create "T" "line 1\nline 2"')).toMatchObject({ description: 'line 1\nline 2' });
    });

    it.each([
      ['create', /needs a title/],
      ['create --priority=high', /needs a title/],
      ['create ""', /can't be empty/],
      ['create "unterminated', /opening quote “?"?.*without a closing one/],
      ['create “smart unterminated', /without a closing one/],
      ['create x --priority=urgentest', /“urgentest” isn't a priority. Use one of: critical, high, medium, low/],
      ['create x --priority', /--priority needs a value/],
      ['create x --priority=', /--priority needs a value/],
      ['create x -p low -p high', /more than once/],
      ['create x --colour=red', /Unknown option “--colour=red”/],
      ['create "a" "b" "c"', /Too many quoted parts/],
      [`create "${'x'.repeat(151)}"`, /title is too long \(151 characters, at most 150\)/],
    ])('rejects %j', (input, message) => {
      expectError(input, message);
    });

    it('gives the create usage for create errors', () => {
      expectError('create', /title/, COMMAND_USAGE.create);
    });
  });

  describe('show', () => {
    it.each(['TKT-12', 'tkt-12', 'Tkt-012', 'TKT-12 show', 'show TKT-12', 'view tkt-12'])('parses %j', (input) => {
      expect(parse(input)).toEqual({ kind: 'show', number: 'TKT-12' });
    });

    it.each(['12', '#12', 'TKT12', 'TKT-', 'TKT-abc'])('rejects %j with a hint about the number format', (input) => {
      expectError(input, /Ticket numbers look like TKT-12/);
    });

    it('rejects show without a number', () => {
      expectError('show', /Which ticket\?/, COMMAND_USAGE.show);
    });
  });

  describe('status', () => {
    it.each([
      ['in_progress', 'in_progress'],
      ['in-progress', 'in_progress'],
      ['inprogress', 'in_progress'],
      ['In Progress', 'in_progress'],
      ['RESOLVED', 'resolved'],
      ['new', 'new'],
      ['pending', 'pending'],
      ['closed', 'closed'],
      ['open', 'open'],
    ])('accepts %j', (value, status) => {
      expect(parse(`TKT-7 status ${value}`)).toEqual({ kind: 'status', number: 'TKT-7', status });
    });

    it('rejects an unknown status, suggesting the closest one', () => {
      expectError('TKT-7 status resolvd', /“resolvd” isn't a status. Did you mean “resolved”\? Use one of: new, open/);
    });

    it('rejects a missing status', () => {
      expectError('TKT-7 status', /Which status\?/, COMMAND_USAGE.status);
    });
  });

  describe('assign', () => {
    it('takes a Slack-escaped mention with a label', () => {
      expect(parse('TKT-3 assign <@U123ABC|jane>')).toEqual({ kind: 'assign', number: 'TKT-3', slackUserId: 'U123ABC' });
    });

    it('takes a Slack-escaped mention without a label', () => {
      expect(parse('TKT-3 assign <@W9>')).toEqual({ kind: 'assign', number: 'TKT-3', slackUserId: 'W9' });
    });

    it('takes a plain @name', () => {
      expect(parse('TKT-3 assign @jane.doe')).toEqual({ kind: 'assign', number: 'TKT-3', userName: 'jane.doe' });
    });

    it('takes a bare name', () => {
      expect(parse('TKT-3 assign jane')).toEqual({ kind: 'assign', number: 'TKT-3', userName: 'jane' });
    });

    it.each([
      ['TKT-3 assign', /Who should TKT-3 be assigned to\?/],
      ['TKT-3 assign @a @b', /one person at a time/],
      ['TKT-3 assign @', /doesn't look like a Slack user/],
      ['TKT-3 assign <!channel>', /doesn't look like a Slack user/],
    ])('rejects %j', (input, message) => {
      expectError(input, message, COMMAND_USAGE.assign);
    });
  });

  describe('comment', () => {
    it('takes a quoted body', () => {
      expect(parse('TKT-12 comment "Rebooted, works now"')).toEqual({
        kind: 'comment',
        number: 'TKT-12',
        body: 'Rebooted, works now',
      });
    });

    it('takes the rest of the line verbatim when unquoted', () => {
      expect(parse('TKT-12 comment it\'s  "fixed"\nthanks')).toEqual({
        kind: 'comment',
        number: 'TKT-12',
        body: 'it\'s  "fixed"\nthanks',
      });
    });

    it('rejects an empty comment', () => {
      expectError('TKT-12 comment', /What should the comment on TKT-12 say\?/, COMMAND_USAGE.comment);
      expectError('TKT-12 comment ""', /What should the comment/);
    });
  });

  describe('lists', () => {
    it.each(['mine', 'team', 'open-critical', 'MINE'])('parses %j', (input) => {
      expect(parse(input)).toEqual({ kind: input.toLowerCase() });
    });

    it('rejects arguments to list commands', () => {
      expectError('mine please', /mine takes no arguments/, COMMAND_USAGE.mine);
    });
  });

  describe('link', () => {
    it('links the caller without an email', () => {
      expect(parse('link')).toEqual({ kind: 'link' });
    });

    it('takes an email, lowercased', () => {
      expect(parse('link Someone@Example.com')).toEqual({ kind: 'link', email: 'someone@example.com' });
    });

    it('unwraps emails Slack formatted as mailto links', () => {
      expect(parse('link <mailto:someone@example.com|someone@example.com>')).toEqual({
        kind: 'link',
        email: 'someone@example.com',
      });
    });

    it.each(['link not-an-email', 'link a@b', 'link a@b.c d@e.f'])('rejects %j', (input) => {
      expectError(input, /valid email|single email/, COMMAND_USAGE.link);
    });
  });

  describe('unknown input', () => {
    it('rejects unknown subcommands with the full usage', () => {
      expectError('frobnicate', /Unknown command “frobnicate”/, FULL_USAGE);
    });

    it('suggests a close subcommand', () => {
      expectError('crate "x"', /Did you mean “create”\?/);
    });

    it('rejects unknown ticket actions, suggesting the closest one', () => {
      expectError('TKT-1 comennt hi', /Did you mean “comment”\?/);
    });

    it('rejects a quoted first word', () => {
      expectError('"create" x', /Unknown command/);
    });

    it('usage lists every subcommand', () => {
      for (const line of Object.values(COMMAND_USAGE)) expect(FULL_USAGE).toContain(line);
    });
  });

  describe('robustness', () => {
    /** Small deterministic PRNG (mulberry32) so failures are reproducible. */
    function rng(seed: number): () => number {
      let a = seed;
      return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }

    const ALPHABET = [
      ...'abcTKT-12 "\'“”‘’„\\<>@|&;=-_\n\t\r',
      '\u0000',
      '\u0007',
      '\u007f',
      '\u00a0',
      '\u200b',
      '😀',
      '\ud800', // lone surrogate
      'é',
      'create ',
      'TKT-12 ',
      'status ',
      'assign ',
      'comment ',
      'link ',
      '--priority=',
      '<@U1|x>',
      '&amp;',
    ];

    it('never throws and always returns a well-formed command for random input', () => {
      const random = rng(42);
      for (let n = 0; n < 5000; n++) {
        const length = Math.floor(random() * 40);
        let input = '';
        for (let k = 0; k < length; k++) input += ALPHABET[Math.floor(random() * ALPHABET.length)];
        let result: TicketCommand | undefined;
        expect(() => (result = parse(input))).not.toThrow();
        expect(typeof result!.kind).toBe('string');
        if (result!.kind === 'error') {
          expect(result!.message.length).toBeGreaterThan(0);
          expect(result!.usage.length).toBeGreaterThan(0);
        }
      }
    });

    it('handles very long input', () => {
      expect(parse('create ' + '"'.repeat(50_000)).kind).toBeDefined();
      expect(parse('TKT-1 comment ' + 'x'.repeat(100_000))).toMatchObject({ kind: 'comment' });
    });

    it('strips control characters', () => {
      expect(parse('create "a\u0000b\u0007c"')).toMatchObject({ title: 'abc' });
    });

    it('tolerates non-string input from untyped callers', () => {
      expect(parse(undefined as unknown as string)).toEqual({ kind: 'help' });
    });
  });
});
