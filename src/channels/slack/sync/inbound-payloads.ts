import { badRequest } from '../../../common/errors';

/**
 * Parsing and shape checks of what Slack sends, after the signature guard accepted the raw bytes.
 * Pure: no I/O. Everything Slack-controlled is treated as untrusted input of unknown shape: a
 * malformed body or a payload of unexpected shape is a 400 naming the problem, never an exception.
 */

export const SLACK_ID = {
  team: /^[TE][A-Z0-9]{1,30}$/,
  channel: /^[CGD][A-Z0-9]{1,30}$/,
  user: /^[UWB][A-Z0-9]{1,30}$/,
  ts: /^\d{1,12}\.\d{1,9}$/,
  eventId: /^Ev[A-Za-z0-9]{1,62}$/,
} as const;

/** Longest message text we take in (Slack allows 40,000 characters in a message). */
export const MAX_INBOUND_TEXT = 40_000;
/** Longest slash command text we act on (Slack's own limit is far lower in practice). */
export const MAX_COMMAND_TEXT = 4_000;

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown, max = 255): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);
export const id = (v: unknown, pattern: RegExp): string | undefined => (typeof v === 'string' && pattern.test(v) ? v : undefined);

function bodyText(body: unknown): string {
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (typeof body === 'string') return body;
  return '';
}

/** The request body as a JSON object, or a 400. */
export function parseJsonBody(body: unknown): Json {
  const text = bodyText(body);
  if (!text.trim()) throw badRequest('Empty body: expected a JSON object');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('Malformed JSON body');
  }
  if (!isObject(parsed)) throw badRequest('Expected a JSON object');
  return parsed;
}

/** The request body as form fields (`application/x-www-form-urlencoded`), or a 400. */
export function parseFormBody(body: unknown): URLSearchParams {
  const text = bodyText(body);
  if (!text.trim()) throw badRequest('Empty body: expected form fields');
  // URLSearchParams never throws; bad percent-escapes are kept literally. Refuse bodies that are
  // obviously not a form (JSON, binary) so a wrong content type is a clear 400.
  if (/^[\s]*[[{]/.test(text) || /[\u0000-\u0008\u000E-\u001F]/.test(text)) throw badRequest('Malformed form body');
  return new URLSearchParams(text);
}

// ---------------------------------------------------------------------------------------------
// Events API
// ---------------------------------------------------------------------------------------------

export interface SlackFile {
  name: string;
  url: string;
}

/** A message as the thread sync needs it (from an event, or from conversations.replies). */
export interface InboundMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  user: string;
  text: string;
  files: SlackFile[];
  edited: boolean;
}

/** The inbound events we act on, already reduced to what the work needs (small enough for a queue job). */
export type InboundEvent =
  | { kind: 'reply'; teamId: string; message: InboundMessage }
  | { kind: 'edit'; teamId: string; message: InboundMessage }
  | { kind: 'delete'; teamId: string; channel: string; ts: string; threadTs: string | null }
  | { kind: 'reaction'; teamId: string; channel: string; ts: string; user: string }
  | { kind: 'mention'; teamId: string; channel: string; ts: string; threadTs: string | null; user: string; text: string }
  | { kind: 'uninstalled'; teamId: string; reason: 'app_uninstalled' | 'tokens_revoked' };

export type EventEnvelope =
  | { type: 'url_verification'; challenge: string }
  | { type: 'event_callback'; eventId: string; teamId: string; event: InboundEvent | null; ignored?: string }
  | { type: 'ignored'; reason: string };

/** Message subtypes written by a person that count as a reply (others: joins, topic changes, bots...). */
const PERSON_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast', 'me_message']);

function files(v: unknown): SlackFile[] {
  if (!Array.isArray(v)) return [];
  const out: SlackFile[] = [];
  for (const f of v.slice(0, 20)) {
    if (!isObject(f)) continue;
    const url = str(f.permalink, 2000) ?? str(f.url_private, 2000);
    if (!url || !/^https?:\/\//i.test(url)) continue;
    out.push({ name: str(f.name, 500) ?? str(f.title, 500) ?? 'file', url });
  }
  return out;
}

/** A person's message from an event or an API answer; null for bots, system messages and bad shapes. */
export function toInboundMessage(m: unknown, channel: string): InboundMessage | null {
  if (!isObject(m)) return null;
  if (m.bot_id !== undefined || m.bot_profile !== undefined) return null;
  if (!PERSON_SUBTYPES.has(m.subtype as string | undefined)) return null;
  const user = id(m.user, SLACK_ID.user);
  const ts = id(m.ts, SLACK_ID.ts);
  if (!user || !ts) return null;
  const text = typeof m.text === 'string' ? m.text : '';
  if (text.length > MAX_INBOUND_TEXT) return null;
  const threadTs = id(m.thread_ts, SLACK_ID.ts) ?? null;
  return { channel, ts, threadTs, user, text, files: files(m.files), edited: isObject(m.edited) };
}

const isReply = (m: InboundMessage) => m.threadTs !== null && m.threadTs !== m.ts;

function classify(teamId: string, e: Json, triageEmoji: string): { event: InboundEvent | null; ignored?: string } {
  const type = str(e.type, 64);
  switch (type) {
    case 'message': {
      const channel = id(e.channel, SLACK_ID.channel);
      if (!channel) return { event: null, ignored: 'message without a channel' };
      if (e.subtype === 'message_changed') {
        const message = toInboundMessage(e.message, channel);
        return message && isReply(message) ? { event: { kind: 'edit', teamId, message } } : { event: null, ignored: 'edit outside a thread or by a bot' };
      }
      if (e.subtype === 'message_deleted') {
        const ts = id(e.deleted_ts, SLACK_ID.ts);
        if (!ts) return { event: null, ignored: 'deletion without deleted_ts' };
        const prev = isObject(e.previous_message) ? e.previous_message : {};
        return { event: { kind: 'delete', teamId, channel, ts, threadTs: id(prev.thread_ts, SLACK_ID.ts) ?? null } };
      }
      const message = toInboundMessage(e, channel);
      if (!message) return { event: null, ignored: 'bot, system or malformed message' };
      if (!isReply(message)) return { event: null, ignored: 'not a thread reply' };
      return { event: { kind: 'reply', teamId, message } };
    }
    case 'reaction_added': {
      const reaction = str(e.reaction, 100)?.replace(/::skin-tone-\d$/, '');
      const item = isObject(e.item) ? e.item : {};
      const channel = id(item.channel, SLACK_ID.channel);
      const ts = id(item.ts, SLACK_ID.ts);
      const user = id(e.user, SLACK_ID.user);
      if (reaction !== triageEmoji) return { event: null, ignored: 'not the triage emoji' };
      if (item.type !== 'message' || !channel || !ts || !user) return { event: null, ignored: 'reaction on something other than a message' };
      return { event: { kind: 'reaction', teamId, channel, ts, user } };
    }
    case 'app_mention': {
      const channel = id(e.channel, SLACK_ID.channel);
      const ts = id(e.ts, SLACK_ID.ts);
      const user = id(e.user, SLACK_ID.user);
      const text = typeof e.text === 'string' ? e.text : '';
      if (!channel || !ts || !user || e.bot_id !== undefined || text.length > MAX_INBOUND_TEXT) return { event: null, ignored: 'mention of unexpected shape' };
      return { event: { kind: 'mention', teamId, channel, ts, threadTs: id(e.thread_ts, SLACK_ID.ts) ?? null, user, text } };
    }
    case 'app_uninstalled':
    case 'tokens_revoked':
      return { event: { kind: 'uninstalled', teamId, reason: type } };
    default:
      return { event: null, ignored: `event type ${type ?? '(none)'} is not handled` };
  }
}

/** Reads an Events API request body. Throws a 400 for bodies that are not a Slack envelope. */
export function parseEventEnvelope(body: unknown, triageEmoji: string): EventEnvelope {
  const json = parseJsonBody(body);
  const type = str(json.type, 64);
  if (type === 'url_verification') {
    const challenge = str(json.challenge, 500);
    if (!challenge) throw badRequest('url_verification without a challenge');
    return { type, challenge };
  }
  if (type !== 'event_callback') {
    if (!type) throw badRequest('Missing envelope type');
    return { type: 'ignored', reason: `envelope type ${type} is not handled` };
  }
  const teamId = id(json.team_id, SLACK_ID.team);
  const eventId = id(json.event_id, SLACK_ID.eventId);
  if (!teamId) throw badRequest('event_callback without a valid team_id');
  if (!eventId) throw badRequest('event_callback without a valid event_id');
  if (!isObject(json.event) || !str(json.event.type, 64)) throw badRequest('event_callback without an event object');
  const { event, ignored } = classify(teamId, json.event, triageEmoji);
  return { type, eventId, teamId, event, ...(ignored && { ignored }) };
}

/** The order key of an event: work on one thread runs in order. */
export function eventKey(e: InboundEvent): string {
  switch (e.kind) {
    case 'reply':
    case 'edit':
      return `${e.teamId}:${e.message.channel}:${e.message.threadTs ?? e.message.ts}`;
    case 'delete':
      return `${e.teamId}:${e.channel}:${e.threadTs ?? e.ts}`;
    case 'reaction':
      return `${e.teamId}:${e.channel}:${e.ts}`;
    case 'mention':
      return `${e.teamId}:${e.channel}:${e.threadTs ?? e.ts}`;
    case 'uninstalled':
      return `${e.teamId}:installation`;
  }
}

// ---------------------------------------------------------------------------------------------
// Slash commands
// ---------------------------------------------------------------------------------------------

export interface SlashCommand {
  teamId: string;
  channelId: string;
  userId: string;
  command: string;
  text: string;
  responseUrl: string | null;
  triggerId: string | null;
}

/** Reads a slash command request; 400 when a field Slack always sends is missing or malformed. */
export function parseSlashCommand(body: unknown): SlashCommand {
  const form = parseFormBody(body);
  const teamId = id(form.get('team_id'), SLACK_ID.team);
  const userId = id(form.get('user_id'), SLACK_ID.user);
  const channelId = id(form.get('channel_id'), SLACK_ID.channel);
  const command = form.get('command');
  if (!teamId) throw badRequest('Missing or invalid team_id');
  if (!userId) throw badRequest('Missing or invalid user_id');
  if (!channelId) throw badRequest('Missing or invalid channel_id');
  if (typeof command !== 'string' || !/^\/[\w-]{1,64}$/.test(command)) throw badRequest('Missing or invalid command');
  const responseUrl = form.get('response_url');
  return {
    teamId,
    userId,
    channelId,
    command,
    text: form.get('text') ?? '',
    responseUrl: responseUrl && /^https?:\/\/\S{1,1000}$/.test(responseUrl) ? responseUrl : null,
    triggerId: str(form.get('trigger_id'), 255) ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Interactivity
// ---------------------------------------------------------------------------------------------

export interface InteractionBase {
  teamId: string;
  userId: string;
  triggerId: string | null;
  responseUrl: string | null;
}

export interface BlockAction {
  actionId: string;
  value: string | null;
}

export type Interaction =
  | (InteractionBase & { type: 'block_actions'; channelId: string | null; messageTs: string | null; actions: BlockAction[] })
  | (InteractionBase & { type: 'view_submission'; callbackId: string; viewId: string | null; privateMetadata: string; values: Record<string, Record<string, Json>> })
  | (InteractionBase & { type: 'shortcut'; callbackId: string })
  | (InteractionBase & { type: 'message_action'; callbackId: string; channelId: string; message: InboundMessage | null; messageTs: string })
  | { type: 'ignored'; reason: string };

function base(p: Json): InteractionBase {
  const team = isObject(p.team) ? p.team : {};
  const user = isObject(p.user) ? p.user : {};
  const teamId = id(team.id, SLACK_ID.team) ?? id(user.team_id, SLACK_ID.team);
  const userId = id(user.id, SLACK_ID.user);
  if (!teamId) throw badRequest('Interaction payload without a valid team');
  if (!userId) throw badRequest('Interaction payload without a valid user');
  const responseUrl = str(p.response_url, 1000);
  return {
    teamId,
    userId,
    triggerId: str(p.trigger_id, 255) ?? null,
    responseUrl: responseUrl && /^https?:\/\/\S+$/.test(responseUrl) ? responseUrl : null,
  };
}

/** Reads an interactivity request (form field `payload` holding JSON). */
export function parseInteraction(body: unknown): Interaction {
  const form = parseFormBody(body);
  const raw = form.get('payload');
  if (!raw) throw badRequest('Missing form field payload');
  let p: unknown;
  try {
    p = JSON.parse(raw);
  } catch {
    throw badRequest('Form field payload is not valid JSON');
  }
  if (!isObject(p)) throw badRequest('Form field payload is not a JSON object');
  const type = str(p.type, 64);
  if (!type) throw badRequest('Interaction payload without a type');
  switch (type) {
    case 'block_actions': {
      const b = base(p);
      if (!Array.isArray(p.actions) || p.actions.length === 0 || p.actions.length > 25) throw badRequest('block_actions without actions');
      const actions = p.actions.map((a): BlockAction => {
        if (!isObject(a)) throw badRequest('Malformed action');
        const actionId = str(a.action_id, 255);
        if (!actionId) throw badRequest('Action without an action_id');
        const selected = isObject(a.selected_option) ? a.selected_option.value : undefined;
        const value = str(a.value, 2000) ?? str(selected, 2000) ?? null;
        return { actionId, value };
      });
      const container = isObject(p.container) ? p.container : {};
      const channel = isObject(p.channel) ? p.channel : {};
      return {
        ...b,
        type,
        actions,
        channelId: id(container.channel_id, SLACK_ID.channel) ?? id(channel.id, SLACK_ID.channel) ?? null,
        messageTs: id(container.message_ts, SLACK_ID.ts) ?? null,
      };
    }
    case 'view_submission': {
      const b = base(p);
      const view = isObject(p.view) ? p.view : undefined;
      const callbackId = view && str(view.callback_id, 255);
      if (!view || !callbackId) throw badRequest('view_submission without a view callback_id');
      const state = isObject(view.state) ? view.state : {};
      const values: Record<string, Record<string, Json>> = {};
      if (isObject(state.values)) {
        for (const [blockId, block] of Object.entries(state.values)) {
          if (!isObject(block)) throw badRequest('Malformed view state');
          values[blockId] = {};
          for (const [actionId, action] of Object.entries(block)) {
            if (!isObject(action)) throw badRequest('Malformed view state');
            values[blockId][actionId] = action;
          }
        }
      }
      const meta = view.private_metadata;
      if (meta !== undefined && (typeof meta !== 'string' || meta.length > 3000)) throw badRequest('Malformed private_metadata');
      const viewId = typeof view.id === 'string' && /^V[A-Z0-9]{1,30}$/.test(view.id) ? view.id : null;
      return { ...b, type, callbackId, viewId, privateMetadata: (meta as string | undefined) ?? '', values };
    }
    case 'shortcut': {
      const callbackId = str(p.callback_id, 255);
      if (!callbackId) throw badRequest('shortcut without a callback_id');
      return { ...base(p), type, callbackId };
    }
    case 'message_action': {
      const callbackId = str(p.callback_id, 255);
      const channel = isObject(p.channel) ? id(p.channel.id, SLACK_ID.channel) : undefined;
      const message = isObject(p.message) ? p.message : undefined;
      const messageTs = message && id(message.ts, SLACK_ID.ts);
      if (!callbackId || !channel || !message || !messageTs) throw badRequest('message_action without callback_id, channel or message');
      return { ...base(p), type, callbackId, channelId: channel, messageTs, message: toInboundMessage(message, channel) };
    }
    default:
      // view_closed, block_suggestion, interactive_message (legacy)...: acknowledged, nothing done.
      return { type: 'ignored', reason: `interaction type ${type} is not handled` };
  }
}

/** The plain text a view input holds (plain_text_input), or undefined. */
export function inputValue(values: Record<string, Record<string, Json>>, ids: { block_id: string; action_id: string }): string | undefined {
  const v = values[ids.block_id]?.[ids.action_id]?.value;
  return typeof v === 'string' ? v : undefined;
}

/** The selected option's value of a static_select, or undefined. */
export function selectedValue(values: Record<string, Record<string, Json>>, ids: { block_id: string; action_id: string }): string | undefined {
  const o = values[ids.block_id]?.[ids.action_id]?.selected_option;
  return isObject(o) && typeof o.value === 'string' ? o.value : undefined;
}

/** The values of the selected checkboxes, or []. */
export function selectedValues(values: Record<string, Record<string, Json>>, ids: { block_id: string; action_id: string }): string[] {
  const o = values[ids.block_id]?.[ids.action_id]?.selected_options;
  return Array.isArray(o) ? o.filter(isObject).map((x) => x.value).filter((x): x is string => typeof x === 'string') : [];
}
