import { unescapeMrkdwn } from '../text/slack-text';
import {
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  type TicketPriority,
  type TicketStatus,
} from '../blocks/ticket-view';

/**
 * Parser for the `/ticket` slash command. Pure and total: every input string yields a
 * `TicketCommand`, invalid input an `error` variant with a friendly message and usage.
 */

export type TicketCommand =
  | { kind: 'help' }
  | { kind: 'create'; title: string; description?: string; priority?: TicketPriority }
  | { kind: 'show'; number: string }
  | { kind: 'status'; number: string; status: TicketStatus }
  | { kind: 'assign'; number: string; slackUserId?: string; userName?: string }
  | { kind: 'comment'; number: string; body: string }
  | { kind: 'mine' }
  | { kind: 'team' }
  | { kind: 'open-critical' }
  | { kind: 'link'; email?: string }
  | { kind: 'error'; message: string; usage: string };

export type TicketCommandError = Extract<TicketCommand, { kind: 'error' }>;

export const TICKET_TITLE_MAX_LENGTH = 150;

export const COMMAND_USAGE = {
  create: '/ticket create "Title" ["Description"] [--priority=critical|high|medium|low]',
  show: '/ticket TKT-12',
  status: `/ticket TKT-12 status ${TICKET_STATUSES.join('|')}`,
  assign: '/ticket TKT-12 assign @user',
  comment: '/ticket TKT-12 comment "Your comment"',
  mine: '/ticket mine',
  team: '/ticket team',
  'open-critical': '/ticket open-critical',
  link: '/ticket link [email@example.com]',
  help: '/ticket help',
} as const;

export const FULL_USAGE = ['Usage:', ...Object.values(COMMAND_USAGE).map((line) => `• ${line}`)].join('\n');

const TOP_LEVEL = ['help', 'create', 'mine', 'team', 'open-critical', 'link'] as const;
const TICKET_ACTIONS = ['show', 'status', 'assign', 'comment'] as const;

const TICKET_NUMBER = /^TKT-(\d{1,12})$/i;
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;
/** Slack escapes mentions in command text as `<@U123|name>` or `<@U123>`. */
const SLACK_MENTION = /^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$/;
/** …and emails (with "escape links" on) as `<mailto:a@b.c|a@b.c>`. */
const SLACK_MAILTO = /^<mailto:([^|>]+)(?:\|[^>]*)?>$/;

const PRIORITY_ALIASES: Record<string, TicketPriority> = {
  critical: 'critical',
  crit: 'critical',
  urgent: 'critical',
  p1: 'critical',
  high: 'high',
  p2: 'high',
  medium: 'medium',
  med: 'medium',
  normal: 'medium',
  p3: 'medium',
  low: 'low',
  p4: 'low',
};

/** Quote characters and the closers each accepts (phones often mix straight and smart quotes). */
const QUOTES: Record<string, string> = { '"': '"”', '“': '”"', '„': '“”"', "'": "'’", '‘': '’\'' };

interface Token {
  value: string;
  quoted: boolean;
  /** Offset just past the token in the normalised input, for rest-of-line arguments. */
  end: number;
}

type Tokenized = { ok: true; tokens: Token[]; text: string } | { ok: false; error: TicketCommandError };

function error(message: string, usage: string = FULL_USAGE): TicketCommandError {
  return { kind: 'error', message, usage };
}

/** Removes control characters other than tab and newline, and normalises line endings. */
function normalise(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');
}

/**
 * Splits into whitespace-separated tokens; a token that starts with a quote runs to the
 * matching closing quote that is followed by whitespace or the end (so "it's" inside
 * single quotes works). `\"` inside quotes is a literal quote.
 */
function tokenize(text: string): Tokenized {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    const closers = QUOTES[text[i]];
    if (closers) {
      let value = '';
      let j = i + 1;
      let closed = false;
      while (j < text.length) {
        const ch = text[j];
        if (ch === '\\' && j + 1 < text.length && (closers.includes(text[j + 1]) || text[j + 1] === '\\')) {
          value += text[j + 1];
          j += 2;
          continue;
        }
        if (closers.includes(ch) && (j + 1 === text.length || /\s/.test(text[j + 1]))) {
          closed = true;
          j++;
          break;
        }
        value += ch;
        j++;
      }
      if (!closed) {
        return {
          ok: false,
          error: error(`There's an opening quote ${text[i]} without a closing one. Wrap text in matching quotes, e.g. "Printer on fire".`),
        };
      }
      tokens.push({ value, quoted: true, end: j });
      i = j;
      continue;
    }
    let j = i;
    while (j < text.length && !/\s/.test(text[j])) j++;
    tokens.push({ value: text.slice(i, j), quoted: false, end: j });
    i = j;
  }
  return { ok: true, tokens, text };
}

/** Levenshtein distance, used only to suggest a subcommand for typos. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, k) => k);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

function suggest(word: string, candidates: readonly string[]): string {
  if (word.length > 40) return '';
  const best = candidates
    .map((c) => ({ c, d: distance(word.toLowerCase(), c) }))
    .sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 2 ? ` Did you mean “${best.c}”?` : '';
}

/** Shortens user input echoed back in messages. */
function quote(value: string): string {
  const short = value.length > 30 ? `${value.slice(0, 30)}…` : value;
  return `“${short}”`;
}

function parseTicketNumber(value: string): string | undefined {
  const m = TICKET_NUMBER.exec(value);
  return m ? `TKT-${Number(m[1])}` : undefined;
}

export function parsePriority(value: string): TicketPriority | undefined {
  return PRIORITY_ALIASES[value.trim().toLowerCase()];
}

/** Accepts `in_progress`, `in-progress`, `inprogress`, `In Progress`… */
export function parseStatus(value: string): TicketStatus | undefined {
  const key = value.trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (key === 'inprogress') return 'in_progress';
  return TICKET_STATUSES.find((s) => s === key);
}

/** Values from Slack arrive HTML-escaped (`&amp;`, `&lt;`, `&gt;`). */
const clean = (value: string): string => unescapeMrkdwn(value).trim();

function parseCreate(args: Token[]): TicketCommand {
  const usage = COMMAND_USAGE.create;
  let priority: TicketPriority | undefined;
  const positional: Token[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i];
    const flag = token.quoted ? undefined : /^(?:--priority|-p)(?:=(.*))?$/i.exec(token.value);
    if (!flag) {
      if (!token.quoted && token.value.startsWith('--')) {
        return error(`Unknown option ${quote(token.value)}. The only option is --priority.`, usage);
      }
      positional.push(token);
      continue;
    }
    let value = flag[1];
    if (value === undefined) {
      value = args[i + 1]?.value;
      i++;
    }
    if (!value) return error('--priority needs a value: critical, high, medium or low.', usage);
    if (priority) return error('--priority was given more than once.', usage);
    priority = parsePriority(value);
    if (!priority) {
      return error(`${quote(value)} isn't a priority. Use one of: ${TICKET_PRIORITIES.join(', ')}.`, usage);
    }
  }
  if (positional.length === 0) return error('A new ticket needs a title.', usage);

  // Title: the first quoted token, or every unquoted word up to the first quoted token.
  let titleTokens: Token[];
  let rest: Token[];
  if (positional[0].quoted) {
    titleTokens = [positional[0]];
    rest = positional.slice(1);
  } else {
    const firstQuoted = positional.findIndex((t) => t.quoted);
    const cut = firstQuoted === -1 ? positional.length : firstQuoted;
    titleTokens = positional.slice(0, cut);
    rest = positional.slice(cut);
  }
  const title = clean(titleTokens.map((t) => t.value).join(' ')).replace(/\s+/g, ' ');
  if (!title) return error("The title can't be empty.", usage);
  if (title.length > TICKET_TITLE_MAX_LENGTH) {
    return error(`The title is too long (${title.length} characters, at most ${TICKET_TITLE_MAX_LENGTH}). Put details in the description.`, usage);
  }
  if (rest.length > 1 && rest.some((t) => t.quoted)) {
    return error('Too many quoted parts: give a title and at most one description, each in quotes.', usage);
  }
  const description = clean(rest.map((t) => t.value).join(' '));
  return { kind: 'create', title, ...(description && { description }), ...(priority && { priority }) };
}

function parseAssign(number: string, args: Token[]): TicketCommand {
  const usage = COMMAND_USAGE.assign;
  if (args.length === 0) return error(`Who should ${number} be assigned to? Mention them, e.g. @jane.`, usage);
  if (args.length > 1) return error('Assign to one person at a time.', usage);
  const target = args[0].value.trim();
  const mention = SLACK_MENTION.exec(target);
  if (mention) return { kind: 'assign', number, slackUserId: mention[1] };
  const userName = clean(target).replace(/^@/, '');
  if (!userName || /[\s<>]/.test(userName)) {
    return error(`${quote(target)} doesn't look like a Slack user. Mention them, e.g. @jane.`, usage);
  }
  return { kind: 'assign', number, userName };
}

function parseTicketAction(number: string, tokens: Token[], text: string): TicketCommand {
  if (tokens.length === 0) return { kind: 'show', number };
  const action = tokens[0].value.toLowerCase();
  const args = tokens.slice(1);
  switch (action) {
    case 'show':
    case 'view':
      return args.length === 0 ? { kind: 'show', number } : error('show takes no other arguments.', COMMAND_USAGE.show);
    case 'status': {
      const usage = COMMAND_USAGE.status;
      if (args.length === 0) return error(`Which status? Use one of: ${TICKET_STATUSES.join(', ')}.`, usage);
      const raw = args.map((t) => t.value).join(' ');
      const status = parseStatus(raw);
      if (!status) {
        return error(
          `${quote(raw)} isn't a status.${suggest(raw.replace(/[\s-]+/g, '_'), TICKET_STATUSES)} Use one of: ${TICKET_STATUSES.join(', ')}.`,
          usage,
        );
      }
      return { kind: 'status', number, status };
    }
    case 'assign':
      return parseAssign(number, args);
    case 'comment': {
      const usage = COMMAND_USAGE.comment;
      // A single quoted argument is the body; otherwise take the rest of the line verbatim.
      const body =
        args.length === 1 && args[0].quoted ? clean(args[0].value) : clean(text.slice(tokens[0].end));
      if (!body) return error(`What should the comment on ${number} say?`, usage);
      return { kind: 'comment', number, body };
    }
    default:
      return error(
        `I don't know how to ${quote(tokens[0].value)} a ticket.${suggest(action, TICKET_ACTIONS)} Try status, assign or comment.`,
        [COMMAND_USAGE.show, COMMAND_USAGE.status, COMMAND_USAGE.assign, COMMAND_USAGE.comment].join('\n'),
      );
  }
}

function noArguments(kind: 'mine' | 'team' | 'open-critical', args: Token[]): TicketCommand {
  return args.length === 0 ? { kind } : error(`${kind} takes no arguments.`, COMMAND_USAGE[kind]);
}

function parseLink(args: Token[]): TicketCommand {
  if (args.length === 0) return { kind: 'link' };
  if (args.length > 1) return error('Give a single email address.', COMMAND_USAGE.link);
  const raw = args[0].value.trim();
  const email = clean(SLACK_MAILTO.exec(raw)?.[1] ?? raw);
  if (!EMAIL.test(email)) return error(`${quote(email)} isn't a valid email address.`, COMMAND_USAGE.link);
  return { kind: 'link', email: email.toLowerCase() };
}

export function parseTicketCommand(input: string): TicketCommand {
  const tokenized = tokenize(normalise(typeof input === 'string' ? input : ''));
  if (!tokenized.ok) return tokenized.error;
  const { tokens, text } = tokenized;
  if (tokens.length === 0) return { kind: 'help' };

  const [first, ...args] = tokens;
  const word = first.quoted ? '' : first.value.toLowerCase();
  const number = first.quoted ? undefined : parseTicketNumber(first.value);
  if (number) return parseTicketAction(number, args, text);

  switch (word) {
    case 'help':
    case '-h':
    case '--help':
    case '?':
      return { kind: 'help' };
    case 'create':
    case 'new':
      return parseCreate(args);
    case 'show':
    case 'view': {
      const target = args[0] && !args[0].quoted ? parseTicketNumber(args[0].value) : undefined;
      if (!target || args.length > 1) return error('Which ticket? Give its number, e.g. TKT-12.', COMMAND_USAGE.show);
      return { kind: 'show', number: target };
    }
    case 'mine':
    case 'team':
    case 'open-critical':
      return noArguments(word, args);
    case 'link':
      return parseLink(args);
    default:
      if (/^#?\d+$/.test(word) || /^tkt-?/i.test(word)) {
        return error(`${quote(first.value)} isn't a ticket number. Ticket numbers look like TKT-12.`, COMMAND_USAGE.show);
      }
      return error(`Unknown command ${quote(first.value)}.${suggest(word, TOP_LEVEL)}`, FULL_USAGE);
  }
}
