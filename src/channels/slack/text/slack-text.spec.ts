import {
  escapeMrkdwn,
  markdownToMrkdwn,
  mrkdwnToMarkdown,
  safeSlackUrl,
  safeSlice,
  truncate,
  truncateEscaped,
  truncateMrkdwn,
  unescapeMrkdwn,
} from './slack-text';

/** True when the mrkdwn contains a `<` that Slack would treat as a control sequence start. */
const hasRawControl = (s: string) => /<[!@#]/.test(s);

describe('escapeMrkdwn', () => {
  it('escapes ampersand and angle brackets', () => {
    expect(escapeMrkdwn('a & b < c > d')).toBe('a &amp; b &lt; c &gt; d');
  });

  it.each(['<!channel>', '<!here>', '<!everyone>', '<@U123>', '<#C1|general>', '<http://evil|fake>'])(
    'neutralises the control sequence %s',
    (input) => {
      const out = escapeMrkdwn(input);
      expect(out).not.toContain('<');
      expect(out).not.toContain('>');
    },
  );

  it('double-escapes existing entities so they display literally', () => {
    expect(escapeMrkdwn('&lt;!channel&gt;')).toBe('&amp;lt;!channel&amp;gt;');
  });

  it('round-trips through unescapeMrkdwn', () => {
    const input = 'x &lt; <y> & &amp;';
    expect(unescapeMrkdwn(escapeMrkdwn(input))).toBe(input);
  });
});

describe('safeSlackUrl', () => {
  it('accepts http, https and mailto', () => {
    expect(safeSlackUrl('https://example.com/a?b=1&c=2')).toBe('https://example.com/a?b=1&amp;c=2');
    expect(safeSlackUrl('http://example.com')).toBe('http://example.com/');
    expect(safeSlackUrl('mailto:a@example.com')).toBe('mailto:a@example.com');
  });

  it.each(['javascript:alert(1)', 'data:text/html,x', '/relative', 'ftp://x.example', 'not a url'])(
    'rejects %s',
    (url) => {
      expect(safeSlackUrl(url)).toBeUndefined();
    },
  );

  it('percent-encodes characters that would end the control sequence', () => {
    expect(safeSlackUrl('https://example.com/a|b>c')).toBe('https://example.com/a%7Cb%3Ec');
  });
});

describe('markdownToMrkdwn', () => {
  it.each([
    ['**bold**', '*bold*'],
    ['__bold__', '*bold*'],
    ['*italic*', '_italic_'],
    ['_italic_', '_italic_'],
    ['~~gone~~', '~gone~'],
    ['# Heading', '*Heading*'],
    ['### Heading ###', '*Heading*'],
    ['## **Bold** heading', '*Bold heading*'],
    ['- item', '• item'],
    ['* item', '• item'],
    ['  - nested', '  • nested'],
    ['> quoted', '> quoted'],
    ['1. first', '1. first'],
  ])('converts %j to %j', (md, expected) => {
    expect(markdownToMrkdwn(md)).toBe(expected);
  });

  it('converts nested formatting', () => {
    expect(markdownToMrkdwn('**bold _and italic_**')).toBe('*bold _and italic_*');
  });

  it('converts links with escaped text', () => {
    expect(markdownToMrkdwn('[a <b> & c](https://example.com/x?y=1&z=2)')).toBe(
      '<https://example.com/x?y=1&amp;z=2|a &lt;b&gt; &amp; c>',
    );
  });

  it('renders links with unsafe protocols as escaped plain text', () => {
    const out = markdownToMrkdwn('[click](javascript:alert(1))');
    expect(out).not.toContain('<');
    expect(out).toContain('click');
  });

  it('converts autolinks to Slack links', () => {
    expect(markdownToMrkdwn('see <https://example.com>')).toBe('see <https://example.com/>');
  });

  it('preserves inline code untouched except for escaping', () => {
    expect(markdownToMrkdwn('run `a **b** <c>` now')).toBe('run `a **b** &lt;c&gt;` now');
  });

  it('preserves fenced code blocks and drops the language hint', () => {
    const md = '```ts\nconst x = a && b < c; // **not bold**\n```';
    expect(markdownToMrkdwn(md)).toBe('```\nconst x = a &amp;&amp; b &lt; c; // **not bold**\n```');
  });

  it('closes an unterminated code fence', () => {
    expect(markdownToMrkdwn('```\ncode')).toBe('```\ncode\n```');
  });

  it('leaves snake_case identifiers and lone asterisks alone', () => {
    expect(markdownToMrkdwn('my_var_name and 5 * 3 * 2')).toBe('my_var_name and 5 * 3 * 2');
  });

  it('escapes all other user text', () => {
    expect(markdownToMrkdwn('<!channel> ping <@U123> & <https://evil.example|click>')).toBe(
      '&lt;!channel&gt; ping &lt;@U123&gt; &amp; &lt;https://evil.example|click&gt;',
    );
  });

  it('cannot be tricked into emitting a control sequence', () => {
    const attacks = [
      '[<!channel>](https://x.example)',
      '[x](https://x.example|<!here>)',
      '**<!everyone>**',
      '`<!here>`',
      '```\n<!channel>\n```',
      '# <@U123>',
      '- <#C1>',
      '[x](https://a.example/>|<!channel)',
      '<https://a.example/|<!here>>',
    ];
    for (const attack of attacks) {
      expect(hasRawControl(markdownToMrkdwn(attack))).toBe(false);
    }
  });

  it('normalises CRLF line endings', () => {
    expect(markdownToMrkdwn('# A\r\n- b')).toBe('*A*\n• b');
  });
});

describe('mrkdwnToMarkdown', () => {
  it.each([
    ['*bold*', '**bold**'],
    ['_italic_', '_italic_'],
    ['~gone~', '~~gone~~'],
    ['<https://example.com|Example>', '[Example](https://example.com)'],
    ['<https://example.com>', 'https://example.com'],
    ['<https://example.com|https://example.com>', 'https://example.com'],
    ['<#C123|general>', '#general'],
    ['<#C123>', '#C123'],
    ['<!here>', '@here'],
    ['<!channel>', '@channel'],
    ['<!everyone>', '@everyone'],
    ['<!subteam^S1|@oncall>', '@oncall'],
    ['a &lt; b &gt; c &amp; d', 'a < b > c & d'],
    ['&amp;lt;', '&lt;'],
  ])('converts %j to %j', (input, expected) => {
    expect(mrkdwnToMarkdown(input)).toBe(expected);
  });

  it('resolves user mentions through the resolver', () => {
    const names: Record<string, string> = { U123: 'Jane Doe' };
    expect(mrkdwnToMarkdown('hi <@U123> and <@U999>', (id) => names[id])).toBe('hi @Jane Doe and @U999');
  });

  it('falls back to the mention label, then the id, without a resolver', () => {
    expect(mrkdwnToMarkdown('<@U1|jane> <@U2>')).toBe('@jane @U2');
  });

  it('unescapes link URLs and labels', () => {
    expect(mrkdwnToMarkdown('<https://e.example/?a=1&amp;b=2|A &amp; B>')).toBe('[A & B](https://e.example/?a=1&b=2)');
  });

  it('keeps code verbatim apart from unescaping', () => {
    expect(mrkdwnToMarkdown('`*x* &lt;y&gt;` and ```\n*z*\n```')).toBe('`*x* <y>` and ```\n*z*\n```');
  });

  it('does not treat arithmetic asterisks as bold', () => {
    expect(mrkdwnToMarkdown('2 * 3 * 4')).toBe('2 * 3 * 4');
  });

  it('round-trips Markdown produced by markdownToMrkdwn for common formatting', () => {
    const md = '**bold** _it_ ~~gone~~ [link](https://example.com/) a < b & c';
    expect(mrkdwnToMarkdown(markdownToMrkdwn(md))).toBe(md);
  });
});

describe('truncate', () => {
  it('returns short text unchanged', () => {
    expect(truncate('hello', 5)).toBe('hello');
  });

  it('marks truncation visibly and respects the maximum', () => {
    const out = truncate('hello world', 8);
    expect(out).toBe('hello w…');
    expect(out.length).toBeLessThanOrEqual(8);
  });

  it('drops whitespace left in front of the marker', () => {
    expect(truncate('hello world', 7)).toBe('hello…');
  });

  it('supports a custom marker', () => {
    expect(truncate('abcdefghij', 6, '...')).toBe('abc...');
  });

  it('never splits a surrogate pair', () => {
    const text = '😀'.repeat(10); // 20 UTF-16 units
    for (let max = 0; max <= 21; max++) {
      const out = truncate(text, max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }
  });

  it('cuts without a marker when the maximum cannot hold it', () => {
    expect(truncate('abc', 2, '...')).toBe('ab');
    expect(truncate('abc', 0)).toBe('');
  });

  it('handles 100k character input', () => {
    expect(truncate('x'.repeat(100_000), 3000)).toHaveLength(3000);
  });
});

describe('safeSlice', () => {
  it('backs off one unit instead of splitting a pair', () => {
    expect(safeSlice('a😀', 2)).toBe('a');
  });
});

describe('truncateEscaped', () => {
  it('does not leave a half entity', () => {
    expect(truncateEscaped('ab &amp; cd', 6)).toBe('ab…');
  });

  it('keeps whole entities', () => {
    expect(truncateEscaped('&lt;&lt;&lt;&lt;', 9)).toBe('&lt;&lt;…');
    expect(truncateEscaped('&lt;&lt;&lt;&lt;', 8)).toBe('&lt;…');
  });
});

describe('truncateMrkdwn', () => {
  it('does not leave a half entity', () => {
    const out = truncateMrkdwn('aaaa &amp; bbbb', 8);
    expect(out).toBe('aaaa…');
  });

  it('does not leave a half control sequence', () => {
    const out = truncateMrkdwn('see <https://example.com/very/long|link> now', 20);
    expect(out).toBe('see…');
    expect(out).not.toContain('<');
  });

  it('closes an open code fence', () => {
    const out = truncateMrkdwn('```\n' + 'x'.repeat(100) + '\n```', 30);
    expect(out.length).toBeLessThanOrEqual(30);
    expect(out.endsWith('```')).toBe(true);
    expect((out.match(/```/g) ?? []).length).toBe(2);
  });

  it('keeps results within the limit for many lengths', () => {
    const text = markdownToMrkdwn('**a** [b](https://e.example) & `c` 😀 '.repeat(50));
    for (let max = 1; max < 200; max += 7) {
      expect(truncateMrkdwn(text, max).length).toBeLessThanOrEqual(max);
    }
  });
});
