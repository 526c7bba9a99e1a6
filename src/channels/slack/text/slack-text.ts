/**
 * Conversions between user-authored Markdown and Slack "mrkdwn".
 *
 * Security rule: every character of user text that reaches Slack goes through
 * `escapeMrkdwn`, so user input can never form a control sequence such as
 * `<!channel>`, `<@U123>` or `<http://evil|fake>`. The only `<...>` sequences
 * we emit are links whose URL we validated ourselves.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const UNESCAPES: Record<string, string> = { amp: '&', lt: '<', gt: '>' };

/** Escapes `&`, `<` and `>` as Slack requires (single pass, so `&lt;` becomes `&amp;lt;`). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/[&<>]/g, (ch) => ESCAPES[ch]);
}

/** Reverses `escapeMrkdwn` in a single pass (so `&amp;lt;` becomes `&lt;`, not `<`). */
export function unescapeMrkdwn(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, name: string) => UNESCAPES[name]);
}

const SAFE_URL_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/**
 * Returns the URL in a form safe to place inside `<url|text>`, or undefined when the
 * URL is not an absolute http(s)/mailto URL. `|`, `<`, `>` and whitespace would end the
 * control sequence early, so they are percent-encoded; `&` is entity-escaped as Slack does.
 */
export function safeSlackUrl(raw: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (!SAFE_URL_PROTOCOLS.has(parsed.protocol)) return undefined;
  const encoded = parsed.href.replace(/[|<>\s]/g, (ch) => encodeURIComponent(ch));
  return encoded.replace(/&/g, '&amp;');
}

/** Builds a Slack link from an already validated URL and a raw (unescaped) label. */
export function slackLink(url: string, label?: string): string | undefined {
  const safe = safeSlackUrl(url);
  if (!safe) return undefined;
  return label ? `<${safe}|${escapeMrkdwn(label)}>` : `<${safe}>`;
}

// ---------------------------------------------------------------------------
// Markdown -> mrkdwn
// ---------------------------------------------------------------------------

/**
 * Inline Markdown constructs, tried at each position in this order (leftmost match wins,
 * then alternation order): code span, link, autolink, bold, strike, italic.
 */
const MD_INLINE =
  /`([^`\n]+)`|\[([^\]\n]+)\]\(([^()\s]+)\)|<((?:https?|mailto):[^\s<>]+)>|\*\*(?![\s*])(.+?)(?<!\s)\*\*|(?<![A-Za-z0-9_])__(?![\s_])(.+?)(?<!\s)__(?![A-Za-z0-9_])|~~(?!\s)(.+?)(?<!\s)~~|\*(?![\s*])([^*\n]+?)(?<!\s)\*|(?<![A-Za-z0-9_])_(?![\s_])([^_\n]+?)(?<!\s)_(?![A-Za-z0-9_])/g;

/** Converts inline Markdown in one line (no code fences) to mrkdwn; gaps are escaped. */
function inlineMarkdownToMrkdwn(text: string): string {
  return replaceTokens(text, MD_INLINE, escapeMrkdwn, (m) => {
    const [whole, code, linkText, linkUrl, autolink, bold, bold2, strike, italic, italic2] = m;
    if (code !== undefined) return '`' + escapeMrkdwn(code) + '`';
    if (linkText !== undefined) return slackLink(linkUrl, linkText) ?? escapeMrkdwn(whole);
    if (autolink !== undefined) return slackLink(autolink) ?? escapeMrkdwn(whole);
    if (bold !== undefined || bold2 !== undefined) {
      return `*${stripOuter(inlineMarkdownToMrkdwn(bold ?? bold2), '*')}*`;
    }
    if (strike !== undefined) return `~${inlineMarkdownToMrkdwn(strike)}~`;
    return `_${stripOuter(inlineMarkdownToMrkdwn(italic ?? italic2), '_')}_`;
  });
}

/** Converts a single non-code line, handling block-level prefixes (heading, list, quote). */
function lineMarkdownToMrkdwn(line: string): string {
  const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
  if (heading) {
    // Bold inside a heading would nest `*` markers, which Slack cannot render.
    const inner = inlineMarkdownToMrkdwn(heading[1].replace(/\*\*|__/g, ''));
    return inner ? `*${stripOuter(inner, '*')}*` : '';
  }
  const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
  if (bullet) return `${bullet[1]}• ${inlineMarkdownToMrkdwn(bullet[2])}`;
  const quote = /^\s{0,3}>\s?(.*)$/.exec(line);
  // A literal `>` at line start is Slack's quote marker; it cannot start a control sequence.
  if (quote) return `> ${inlineMarkdownToMrkdwn(quote[1])}`;
  if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) return '───';
  return inlineMarkdownToMrkdwn(line);
}

/**
 * Converts common Markdown to Slack mrkdwn. Everything that is not a recognised construct
 * is escaped, and links are only emitted for http(s)/mailto URLs.
 */
export function markdownToMrkdwn(md: string): string {
  const out: string[] = [];
  const lines = md.replace(/\r\n?/g, '\n').split('\n');
  let fence: string[] | undefined;
  for (const line of lines) {
    const isFence = /^\s{0,3}```/.test(line);
    if (fence) {
      if (isFence && /^\s{0,3}```\s*$/.test(line)) {
        out.push('```\n' + fence.map(escapeMrkdwn).join('\n') + '\n```');
        fence = undefined;
      } else {
        fence.push(line);
      }
    } else if (isFence) {
      fence = []; // the language hint after the opening fence is dropped: Slack has no highlighting
    } else {
      out.push(lineMarkdownToMrkdwn(line));
    }
  }
  // An unterminated fence runs to the end of the text (as in CommonMark); close it for Slack.
  if (fence) out.push('```\n' + fence.map(escapeMrkdwn).join('\n') + '\n```');
  return out.join('\n');
}

// ---------------------------------------------------------------------------
// mrkdwn -> Markdown
// ---------------------------------------------------------------------------

const MRKDWN_INLINE =
  /```([\s\S]*?)```|`([^`\n]+)`|<([^<>\n]+)>|(?<![A-Za-z0-9*])\*(?![\s*])([^*\n]+?)(?<!\s)\*(?![A-Za-z0-9*])|(?<![A-Za-z0-9~])~(?![\s~])([^~\n]+?)(?<!\s)~(?![A-Za-z0-9~])/g;

export type SlackUserResolver = (userId: string) => string | undefined;

/** Renders one Slack control sequence (the text between `<` and `>`) as Markdown. */
function controlSequenceToMarkdown(inner: string, resolveUser?: SlackUserResolver): string {
  const pipe = inner.indexOf('|');
  const target = pipe === -1 ? inner : inner.slice(0, pipe);
  const label = pipe === -1 ? undefined : unescapeMrkdwn(inner.slice(pipe + 1));
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return '@' + (resolveUser?.(id) ?? label ?? id);
  }
  if (target.startsWith('#')) return '#' + (label ?? target.slice(1));
  if (target.startsWith('!')) {
    const command = target.slice(1);
    if (['here', 'channel', 'everyone'].includes(command)) return '@' + command;
    if (command.startsWith('subteam^')) return label ?? '@' + command.slice('subteam^'.length);
    return label ?? '';
  }
  const url = unescapeMrkdwn(target);
  return label && label !== url ? `[${label}](${url})` : url;
}

/**
 * Converts an inbound Slack message (mrkdwn) to Markdown: formatting, links, user/channel
 * mentions and special mentions, and HTML entity unescaping. Code is kept verbatim.
 */
export function mrkdwnToMarkdown(text: string, resolveUser?: SlackUserResolver): string {
  const convert = (segment: string): string =>
    replaceTokens(segment, MRKDWN_INLINE, unescapeMrkdwn, (m) => {
      const [, block, code, control, bold, strike] = m;
      if (block !== undefined) return '```' + unescapeMrkdwn(block) + '```';
      if (code !== undefined) return '`' + unescapeMrkdwn(code) + '`';
      if (control !== undefined) return controlSequenceToMarkdown(control, resolveUser);
      if (bold !== undefined) return `**${convert(bold)}**`;
      return `~~${convert(strike)}~~`;
    });
  return convert(text);
}

// ---------------------------------------------------------------------------
// Truncation
// ---------------------------------------------------------------------------

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Returns at most `max` UTF-16 units of `text` without splitting a surrogate pair. */
export function safeSlice(text: string, max: number): string {
  if (max <= 0) return '';
  if (text.length <= max) return text;
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

/**
 * Visibly truncates `text` so that the result, marker included, is at most `max`
 * UTF-16 units (the unit Slack limits are conservatively measured in) and never
 * splits a surrogate pair. When `max` cannot even hold the marker, the text is cut bare.
 */
export function truncate(text: string, max: number, marker = '…'): string {
  if (text.length <= max) return text;
  if (max < marker.length || max <= 0) return safeSlice(text, max);
  return safeSlice(text, max - marker.length).replace(/\s+$/, '') + marker;
}

/** Truncates escaped text (e.g. escaped plain_text) without leaving a dangling entity such as `&am`. */
export function truncateEscaped(text: string, max: number, marker = '…'): string {
  if (text.length <= max) return text;
  const cut = safeSlice(text, Math.max(max - marker.length, 0));
  const entity = /&[a-z]{0,4}$/.exec(cut);
  return truncate((entity ? cut.slice(0, entity.index) : cut).replace(/\s+$/, '') + marker, max, marker);
}

/**
 * Truncates mrkdwn without leaving a dangling entity (`&am`), a half control
 * sequence (`<https://exa`) or an unclosed code fence.
 */
export function truncateMrkdwn(text: string, max: number, marker = '…'): string {
  if (text.length <= max) return text;
  const fenceClose = '\n```';
  let budget = max - marker.length;
  for (let attempt = 0; attempt < 2; attempt++) {
    let cut = safeSlice(text, Math.max(budget, 0));
    const lastOpen = cut.lastIndexOf('<');
    if (lastOpen > cut.lastIndexOf('>')) cut = cut.slice(0, lastOpen);
    const entity = /&[a-z]{0,4}$/.exec(cut);
    if (entity) cut = cut.slice(0, entity.index);
    cut = cut.replace(/\s+$/, '');
    const openFence = (cut.match(/```/g) ?? []).length % 2 === 1;
    if (!openFence) return truncate(cut + marker, max, marker);
    if (attempt === 0) {
      budget -= fenceClose.length; // retry with room to close the fence
      continue;
    }
    return truncate(cut + marker + fenceClose, max, marker);
  }
  return truncate(text, max, marker);
}

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

/**
 * Walks `text` with a global regex: matches are rendered by `onMatch`, the text between
 * matches by `onGap`.
 */
function replaceTokens(
  text: string,
  pattern: RegExp,
  onGap: (gap: string) => string,
  onMatch: (match: RegExpExecArray) => string,
): string {
  const re = new RegExp(pattern.source, pattern.flags);
  let out = '';
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out += onGap(text.slice(last, m.index)) + onMatch(m);
    last = m.index + m[0].length;
    if (m[0].length === 0) re.lastIndex++;
  }
  return out + onGap(text.slice(last));
}

/** Removes a marker that wraps the whole string (avoids `**x**` style double markers). */
function stripOuter(text: string, marker: string): string {
  return text.length > 2 && text.startsWith(marker) && text.endsWith(marker) ? text.slice(1, -1) : text;
}
