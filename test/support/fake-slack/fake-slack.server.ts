import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateMessageBlocks, validateView } from './block-kit.validator';
import type {
  BlockRejection,
  FailNextOptions,
  FakeSlackChannel,
  FakeSlackFailure,
  FakeSlackOAuthGrant,
  FakeSlackOptions,
  FakeSlackUser,
  RateLimitOptions,
  RateLimitViolation,
  RecordedCall,
  SlackArgs,
  StoredMessage,
} from './fake-slack.types';

export * from './fake-slack.types';

/**
 * A real HTTP server that mimics `https://slack.com/api/<method>` closely enough for the
 * official `@slack/web-api` WebClient:
 *
 *   const slack = new FakeSlackServer();
 *   await slack.start();
 *   const client = new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl }); // `${url}/api/`
 *
 * Like Slack, API errors are HTTP 200 with `{ ok: false, error }`; only rate limiting (429)
 * and injected server errors use other statuses.
 */

/** Args that the WebClient JSON-stringifies inside form bodies. */
const JSON_ARGS = ['blocks', 'attachments', 'view', 'metadata', 'unfurls'];

/** Methods that work without a bot token (OAuth uses client credentials). */
const UNAUTHENTICATED = new Set(['oauth.v2.access', 'api.test']);

const DEFAULT_RATE_LIMITED_METHODS = ['chat.postMessage', 'chat.update', 'chat.postEphemeral'];

type Reply = { status?: number; headers?: Record<string, string>; body: SlackArgs };
type Handler = (args: SlackArgs, ctx: { token: string | undefined }) => SlackArgs;

interface ArmedFailure {
  method: string;
  failure: FakeSlackFailure;
  channel?: string;
  remaining: number;
}

const slackError = (error: string, extra: SlackArgs = {}): SlackArgs => ({ ok: false, error, ...extra });
const str = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

export class FakeSlackServer {
  private server: Server | undefined;
  private readonly events = new EventEmitter();
  private readonly held = new Set<NodeJS.Timeout>();
  private readonly handlers: Record<string, Handler>;

  private recorded: RecordedCall[] = [];
  private failures: ArmedFailure[] = [];
  private rateLimit: RateLimitOptions | undefined;
  private rateWindow = new Map<string, number[]>();
  private violations: RateLimitViolation[] = [];
  private blockRejections: BlockRejection[] = [];

  private tokens = new Set<string>();
  private users = new Map<string, FakeSlackUser>();
  private channels = new Map<string, FakeSlackChannel>();
  private strictChannels = false;
  private messagesByChannel = new Map<string, StoredMessage[]>();
  private ephemeral: (StoredMessage & { user: string })[] = [];
  private views = new Map<string, SlackArgs>();
  private usedCodes = new Set<string>();
  private installations = new Map<string, FakeSlackOAuthGrant>();
  private tsCounter = 0;
  private viewCounter = 0;

  readonly team: { id: string; name: string; domain: string };
  readonly bot: { userId: string; botId: string; appId: string };

  constructor(private readonly options: FakeSlackOptions = {}) {
    this.team = { domain: 'threadline-test', ...(options.team ?? { id: 'T0TEST', name: 'Threadline Test' }) };
    this.bot = options.bot ?? { userId: 'U0BOT', botId: 'B0BOT', appId: 'A0APP' };
    this.handlers = this.buildHandlers();
    this.reset();
  }

  // ---------------------------------------------------------------------------
  // lifecycle
  // ---------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const timer of this.held) clearTimeout(timer);
    this.held.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections(); // drop held and keep-alive sockets so close() resolves at once
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    if (!this.server) throw new Error('FakeSlackServer is not started');
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** The value to pass as WebClient `slackApiUrl` (the client appends the method name). */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** Back to the configured initial state: no calls, messages, failures or limits. */
  reset(): void {
    for (const timer of this.held) clearTimeout(timer);
    this.held.clear();
    this.recorded = [];
    this.failures = [];
    this.rateLimit = undefined;
    this.rateWindow = new Map();
    this.violations = [];
    this.blockRejections = [];
    this.tokens = new Set(this.options.validTokens ?? ['xoxb-test']);
    this.users = new Map((this.options.users ?? []).map((u) => [u.id, { ...u }]));
    this.channels = new Map((this.options.channels ?? []).map((c) => [c.id, { is_member: true, ...c }]));
    this.strictChannels = this.channels.size > 0;
    this.messagesByChannel = new Map();
    this.ephemeral = [];
    this.views = new Map();
    this.usedCodes = new Set();
    this.installations = new Map();
    this.tsCounter = 0;
    this.viewCounter = 0;
  }

  // ---------------------------------------------------------------------------
  // configuration and test helpers
  // ---------------------------------------------------------------------------

  addToken(token: string): void {
    this.tokens.add(token);
  }

  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  addUser(user: FakeSlackUser): void {
    this.users.set(user.id, { ...user });
  }

  addChannel(channel: FakeSlackChannel): void {
    this.channels.set(channel.id, { is_member: true, ...channel });
    this.strictChannels = true;
  }

  /** Fails the next matching call(s) of `method`. Failures are consumed in the order armed. */
  failNext(method: string, options: FailNextOptions): void {
    const { channel, times = 1, ...failure } = options;
    this.failures.push({ method, failure: failure as FakeSlackFailure, channel, remaining: times });
  }

  /** Enforces Slack's per-channel posting limit; excess calls get 429 and are recorded as violations. */
  enforceRateLimit(options: RateLimitOptions): void {
    this.rateLimit = options;
    this.rateWindow = new Map();
  }

  /** Calls answered 429 by `enforceRateLimit` (not by `failNext`). */
  rateLimitViolations(): RateLimitViolation[] {
    return [...this.violations];
  }

  /** Messages rejected with `invalid_blocks`. */
  invalidBlocksRejections(): BlockRejection[] {
    return [...this.blockRejections];
  }

  /** Every call received, optionally only those of one method. */
  calls(method?: string): RecordedCall[] {
    return method ? this.recorded.filter((c) => c.method === method) : [...this.recorded];
  }

  /**
   * Resolves with the first recorded call (past or future) matching `predicate`. Event
   * driven: checks each call as it arrives rather than sleeping between polls.
   */
  waitFor(predicate: (call: RecordedCall) => boolean, timeoutMs = 2000): Promise<RecordedCall> {
    const existing = this.recorded.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const onCall = (call: RecordedCall) => {
        if (!predicate(call)) return;
        clearTimeout(timer);
        this.events.off('call', onCall);
        resolve(call);
      };
      const timer = setTimeout(() => {
        this.events.off('call', onCall);
        const seen = this.recorded.map((c) => c.method).join(', ') || 'none';
        reject(new Error(`FakeSlackServer.waitFor timed out after ${timeoutMs} ms; calls seen: ${seen}`));
      }, timeoutMs);
      this.events.on('call', onCall);
    });
  }

  /** Injects a message from a human user (e.g. a thread reply typed in Slack). Returns its ts. */
  addUserMessage(message: { channel: string; user: string; text: string; thread_ts?: string }): string {
    return this.store({ ...message, ts: this.nextTs() }).ts;
  }

  /**
   * Stores a message as if the bot had posted it (e.g. what Slack applied from a request whose
   * client timed out, which a held `failNext({ timeoutMs })` does not do once the client is gone).
   */
  addBotMessage(message: { channel: string; text: string; blocks?: unknown; thread_ts?: string; metadata?: unknown }): string {
    return this.store({ ...message, ts: this.nextTs(), bot_id: this.bot.botId }).ts;
  }

  /** Stored (non-deleted) messages of a channel in ts order. */
  messages(channel: string): StoredMessage[] {
    return [...(this.messagesByChannel.get(channel) ?? [])];
  }

  /** Parent and replies of a thread in ts order. */
  thread(channel: string, ts: string): StoredMessage[] {
    return this.messages(channel).filter((m) => m.ts === ts || m.thread_ts === ts);
  }

  ephemeralMessages(): (StoredMessage & { user: string })[] {
    return [...this.ephemeral];
  }

  openedViews(): SlackArgs[] {
    return [...this.views.values()];
  }

  // ---------------------------------------------------------------------------
  // HTTP plumbing
  // ---------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
    if (!match) return this.send(res, undefined, { status: 404, body: slackError('not_found') });

    const method = match[1];
    let args: SlackArgs;
    try {
      args = { ...Object.fromEntries(url.searchParams), ...parseBody(await readBody(req), req.headers['content-type']) };
    } catch {
      return this.send(res, undefined, { body: slackError('invalid_json') });
    }
    const token = bearer(req.headers.authorization) ?? str(args.token);
    delete args.token;
    const call: RecordedCall = { method, token, args, at: Date.now() };
    this.recorded.push(call);
    this.events.emit('call', call);

    const failure = this.takeFailure(method, args);
    if (failure && 'timeoutMs' in failure) {
      // Slack may well process a request whose client gave up: answer (and apply it) late.
      const timer = setTimeout(() => {
        this.held.delete(timer);
        if (!res.destroyed) this.send(res, call, this.dispatch(method, args, token));
      }, failure.timeoutMs);
      this.held.add(timer);
      return;
    }
    this.send(res, call, failure ? failureReply(failure) : this.dispatch(method, args, token));
  }

  private send(res: ServerResponse, call: RecordedCall | undefined, reply: Reply): void {
    const status = reply.status ?? 200;
    if (call) {
      call.status = status;
      call.response = reply.body;
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }

  private takeFailure(method: string, args: SlackArgs): FakeSlackFailure | undefined {
    const armed = this.failures.find((f) => f.method === method && (!f.channel || f.channel === str(args.channel)));
    if (!armed) return undefined;
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.failures.splice(this.failures.indexOf(armed), 1);
    return armed.failure;
  }

  private dispatch(method: string, args: SlackArgs, token: string | undefined): Reply {
    const handler = this.handlers[method];
    if (!handler) return { body: slackError('unknown_method', { req_method: method }) };
    if (!UNAUTHENTICATED.has(method)) {
      if (!token) return { body: slackError('not_authed') };
      if (!this.tokens.has(token)) return { body: slackError('invalid_auth') };
    }
    const limited = this.checkRateLimit(method, args);
    if (limited) return limited;
    return { body: handler(args, { token }) };
  }

  private checkRateLimit(method: string, args: SlackArgs): Reply | undefined {
    const limit = this.rateLimit;
    const channel = str(args.channel);
    if (!limit || !channel || !(limit.methods ?? DEFAULT_RATE_LIMITED_METHODS).includes(method)) return undefined;
    const now = Date.now();
    const recent = (this.rateWindow.get(channel) ?? []).filter((t) => now - t < 1000);
    if (recent.length >= limit.perChannelPerSecond) {
      this.rateWindow.set(channel, recent);
      this.violations.push({ method, channel, at: now });
      return failureReply({ status: 429, retryAfterSec: limit.retryAfterSec ?? 1 });
    }
    recent.push(now);
    this.rateWindow.set(channel, recent);
    return undefined;
  }

  // ---------------------------------------------------------------------------
  // state helpers
  // ---------------------------------------------------------------------------

  /** Unique, increasing, Slack-shaped timestamps: 1700000000.000100, 1700000000.000200, … */
  private nextTs(): string {
    this.tsCounter += 1;
    const micros = (this.options.startTs ?? 1_700_000_000) * 1_000_000 + this.tsCounter * 100;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  private store(message: StoredMessage): StoredMessage {
    const list = this.messagesByChannel.get(message.channel) ?? [];
    list.push(message);
    this.messagesByChannel.set(message.channel, list);
    return message;
  }

  private findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messagesByChannel.get(channel)?.find((m) => m.ts === ts);
  }

  /** Channel access as Slack decides it: unknown -> channel_not_found, not joined -> not_in_channel. */
  private channelError(channel: string | undefined, needsMembership = true): string | undefined {
    if (!channel) return 'channel_not_found';
    if (!this.strictChannels || channel.startsWith('D')) return undefined;
    const known = this.channels.get(channel);
    if (!known) return 'channel_not_found';
    if (needsMembership && !known.is_member) return 'not_in_channel';
    return undefined;
  }

  private channelInfo(id: string): SlackArgs {
    const known = this.channels.get(id);
    const isIm = id.startsWith('D');
    return {
      id,
      name: known?.name ?? (isIm ? undefined : id.toLowerCase()),
      is_channel: !isIm && !known?.is_private,
      is_private: known?.is_private ?? isIm,
      is_im: isIm,
      is_member: known?.is_member ?? true,
    };
  }

  /** Messages as Slack returns them: thread parents carry thread_ts, reply_count and latest_reply. */
  private present(message: StoredMessage): SlackArgs {
    const replies = (this.messagesByChannel.get(message.channel) ?? []).filter(
      (m) => m.thread_ts === message.ts && m.ts !== message.ts,
    );
    const base: SlackArgs = {
      type: 'message',
      ...(message.user ? { user: message.user } : { bot_id: message.bot_id, app_id: this.bot.appId }),
      text: message.text ?? '',
      ts: message.ts,
      ...(message.blocks !== undefined && { blocks: message.blocks }),
      ...(message.thread_ts && { thread_ts: message.thread_ts }),
      ...(message.edited && { edited: message.edited }),
      ...(message.reactions && { reactions: message.reactions }),
      ...(message.metadata !== undefined && { metadata: message.metadata }),
      team: this.team.id,
    };
    if (replies.length === 0) return base;
    return {
      ...base,
      thread_ts: message.ts,
      reply_count: replies.length,
      reply_users: [...new Set(replies.map((r) => r.user ?? this.bot.userId))],
      latest_reply: replies[replies.length - 1].ts,
    };
  }

  /** Validates text/blocks for chat.postMessage / chat.update; returns an error body or undefined. */
  private checkContent(method: string, args: SlackArgs): SlackArgs | undefined {
    const hasBlocks = args.blocks !== undefined;
    if (!str(args.text) && !hasBlocks && args.attachments === undefined) return slackError('no_text');
    if (typeof args.blocks === 'string') return slackError('invalid_blocks_format');
    if (!hasBlocks) return undefined;
    const errors = validateMessageBlocks(args.blocks);
    if (errors.length === 0) return undefined;
    this.blockRejections.push({ method, errors, at: Date.now() });
    return slackError('invalid_blocks', { response_metadata: { messages: errors } });
  }

  private user(id: string | undefined): FakeSlackUser | undefined {
    return id ? this.users.get(id) : undefined;
  }

  private presentUser(user: FakeSlackUser): SlackArgs {
    return {
      id: user.id,
      team_id: this.team.id,
      name: user.name,
      real_name: user.real_name ?? user.name,
      deleted: user.deleted ?? false,
      is_bot: user.is_bot ?? false,
      tz: user.tz ?? 'Europe/London',
      profile: {
        real_name: user.real_name ?? user.name,
        display_name: user.name,
        ...(user.email && { email: user.email }),
      },
    };
  }

  private storeView(view: SlackArgs, extra: SlackArgs, id = `V${String(++this.viewCounter).padStart(8, '0')}`): SlackArgs {
    const stored = {
      ...view,
      ...extra,
      id,
      team_id: this.team.id,
      app_id: this.bot.appId,
      bot_id: this.bot.botId,
      hash: `${Date.now()}.${this.viewCounter}`,
      state: { values: {} },
    };
    this.views.set(id, stored);
    return stored;
  }

  // ---------------------------------------------------------------------------
  // Slack methods
  // ---------------------------------------------------------------------------

  private buildHandlers(): Record<string, Handler> {
    return {
      'api.test': (args) => ({ ok: true, args }),

      'auth.test': (_args, { token }) => {
        const install = token ? this.installations.get(token) : undefined;
        const team = install?.team ?? this.team;
        return {
          ok: true,
          url: `https://${this.team.domain}.slack.com/`,
          team: team.name,
          team_id: team.id,
          user: 'threadline',
          user_id: install?.botUserId ?? this.bot.userId,
          bot_id: this.bot.botId,
          app_id: install?.appId ?? this.bot.appId,
          is_enterprise_install: false,
        };
      },

      'oauth.v2.access': (args) => {
        const code = str(args.code);
        const grant = (this.options.oauth ?? []).find((g) => g.code === code);
        // Codes are single use, like Slack's.
        if (!code || !grant || this.usedCodes.has(code)) return slackError('invalid_code');
        if (grant.clientId && grant.clientId !== str(args.client_id)) return slackError('invalid_client_id');
        if (grant.clientSecret && grant.clientSecret !== str(args.client_secret)) return slackError('bad_client_secret');
        this.usedCodes.add(code);
        this.tokens.add(grant.accessToken);
        this.installations.set(grant.accessToken, grant);
        return {
          ok: true,
          access_token: grant.accessToken,
          token_type: 'bot',
          scope: grant.scope ?? 'chat:write,commands,users:read,users:read.email,channels:join',
          bot_user_id: grant.botUserId ?? this.bot.userId,
          app_id: grant.appId ?? this.bot.appId,
          team: grant.team,
          enterprise: null,
          is_enterprise_install: false,
          authed_user: { id: grant.authedUserId ?? 'U0INSTALLER' },
        };
      },

      'chat.postMessage': (args) => {
        const channel = str(args.channel);
        const denied = this.channelError(channel);
        if (denied) return slackError(denied);
        const invalid = this.checkContent('chat.postMessage', args);
        if (invalid) return invalid;
        const threadTs = str(args.thread_ts);
        // Slack rejects malformed thread_ts but accepts (and effectively hides) replies to unknown ones.
        if (args.thread_ts !== undefined && !/^\d+\.\d+$/.test(threadTs ?? '')) {
          return slackError('invalid_thread_ts', { response_metadata: { messages: [`[ERROR] ${threadTs} is not a valid thread_ts`] } });
        }
        const message = this.store({
          channel: channel!,
          ts: this.nextTs(),
          text: str(args.text) ?? '',
          ...(args.blocks !== undefined && { blocks: args.blocks }),
          ...(threadTs && { thread_ts: threadTs }),
          ...(args.metadata !== undefined && { metadata: args.metadata }),
          bot_id: this.bot.botId,
        });
        return { ok: true, channel: channel, ts: message.ts, message: this.present(message) };
      },

      'chat.update': (args) => {
        const channel = str(args.channel);
        const denied = this.channelError(channel);
        if (denied) return slackError(denied);
        const message = this.findMessage(channel!, str(args.ts) ?? '');
        if (!message) return slackError('message_not_found');
        if (message.user) return slackError('cant_update_message');
        const invalid = this.checkContent('chat.update', args);
        if (invalid) return invalid;
        if (args.text !== undefined) message.text = str(args.text) ?? '';
        if (args.blocks !== undefined) message.blocks = args.blocks;
        message.edited = { user: this.bot.userId, ts: this.nextTs() };
        return { ok: true, channel, ts: message.ts, text: message.text, message: this.present(message) };
      },

      'chat.delete': (args) => {
        const channel = str(args.channel);
        const denied = this.channelError(channel);
        if (denied) return slackError(denied);
        const list = this.messagesByChannel.get(channel!) ?? [];
        const index = list.findIndex((m) => m.ts === str(args.ts));
        if (index === -1) return slackError('message_not_found');
        if (list[index].user) return slackError('cant_delete_message');
        list.splice(index, 1);
        return { ok: true, channel, ts: str(args.ts) };
      },

      'chat.postEphemeral': (args) => {
        const channel = str(args.channel);
        const denied = this.channelError(channel);
        if (denied) return slackError(denied);
        const user = str(args.user);
        if (!user || (this.users.size > 0 && !this.users.has(user))) return slackError('user_not_in_channel');
        const invalid = this.checkContent('chat.postEphemeral', args);
        if (invalid) return invalid;
        const ts = this.nextTs();
        this.ephemeral.push({ channel: channel!, ts, user, text: str(args.text), blocks: args.blocks, thread_ts: str(args.thread_ts) });
        return { ok: true, message_ts: ts };
      },

      'chat.getPermalink': (args) => {
        const channel = str(args.channel);
        const message = channel ? this.findMessage(channel, str(args.message_ts) ?? '') : undefined;
        if (!message) return slackError('message_not_found');
        const base = `https://${this.team.domain}.slack.com/archives/${channel}/p${message.ts.replace('.', '')}`;
        const permalink = message.thread_ts
          ? `${base}?thread_ts=${message.thread_ts}&cid=${channel}`
          : base;
        return { ok: true, channel, permalink };
      },

      'conversations.replies': (args) => {
        const channel = str(args.channel);
        const denied = this.channelError(channel, false);
        if (denied) return slackError(denied);
        const ts = str(args.ts);
        if (!ts) return slackError('invalid_arguments');
        const parent = this.findMessage(channel!, ts);
        if (!parent) return slackError('thread_not_found');
        const all = this.thread(channel!, parent.thread_ts ?? ts).map((m) => this.present(m));
        const limit = Math.min(Math.max(Number(args.limit) || 1000, 1), 1000);
        let offset = 0;
        const cursor = str(args.cursor);
        if (cursor) {
          const decoded = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
          if (!decoded) return slackError('invalid_cursor');
          offset = Number(decoded[1]);
        }
        const page = all.slice(offset, offset + limit);
        const next = offset + limit < all.length ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '';
        return { ok: true, messages: page, has_more: next !== '', response_metadata: { next_cursor: next } };
      },

      'conversations.open': (args) => {
        const ids = (str(args.users) ?? '').split(',').map((u) => u.trim()).filter(Boolean);
        if (ids.length === 0) return slackError('users_list_not_supplied');
        const unknown = ids.find((id) => this.users.size > 0 && !this.users.has(id));
        if (unknown) return slackError('user_not_found');
        // Deterministic DM ids: U123ABC -> D123ABC.
        const id = ids.length === 1 ? `D${ids[0].slice(1)}` : `G${ids.map((u) => u.slice(1)).join('')}`.slice(0, 20);
        return { ok: true, channel: { id } };
      },

      'conversations.join': (args) => {
        const channel = str(args.channel);
        const denied = this.channelError(channel, false);
        if (denied) return slackError(denied);
        const known = this.channels.get(channel!);
        if (known?.is_private) return slackError('method_not_supported_for_channel_type');
        if (known) known.is_member = true;
        return { ok: true, channel: this.channelInfo(channel!) };
      },

      'conversations.info': (args) => {
        const channel = str(args.channel);
        const denied = this.channelError(channel, false);
        if (denied) return slackError(denied);
        return { ok: true, channel: this.channelInfo(channel!) };
      },

      // Channel names -> ids (the outbound side resolves `#name` routes with it).
      'conversations.list': (args) => {
        const all = [...this.channels.values()].map((c) => ({ ...this.channelInfo(c.id), is_archived: false }));
        const limit = Math.min(Math.max(Number(args.limit) || 100, 1), 1000);
        const offset = Number(/^offset:(\d+)$/.exec(Buffer.from(str(args.cursor) ?? '', 'base64').toString('utf8'))?.[1] ?? 0);
        const next = offset + limit < all.length ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '';
        return { ok: true, channels: all.slice(offset, offset + limit), response_metadata: { next_cursor: next } };
      },

      // Top-level messages, newest first (the outbound side looks for a root message by its metadata).
      'conversations.history': (args) => {
        const channel = str(args.channel);
        const denied = this.channelError(channel, false);
        if (denied) return slackError(denied);
        const oldest = Number(str(args.oldest) ?? 0);
        const latest = args.latest === undefined ? Infinity : Number(str(args.latest));
        const limit = Math.min(Math.max(Number(args.limit) || 100, 1), 1000);
        const top = this.messages(channel!)
          .filter((m) => (!m.thread_ts || m.thread_ts === m.ts) && Number(m.ts) >= oldest && Number(m.ts) <= latest)
          .reverse();
        return { ok: true, messages: top.slice(0, limit).map((m) => this.present(m)), has_more: top.length > limit, response_metadata: { next_cursor: '' } };
      },

      'users.info': (args) => {
        const user = this.user(str(args.user));
        return user ? { ok: true, user: this.presentUser(user) } : slackError('user_not_found');
      },

      'users.lookupByEmail': (args) => {
        const email = str(args.email)?.toLowerCase();
        const user = [...this.users.values()].find((u) => u.email?.toLowerCase() === email && !u.deleted);
        return user ? { ok: true, user: this.presentUser(user) } : slackError('users_not_found');
      },

      'views.open': (args) => {
        if (!str(args.trigger_id) && !str(args.interactivity_pointer)) return slackError('invalid_arguments');
        return this.viewReply(args.view, {});
      },

      'views.update': (args) => {
        const id = str(args.view_id) ?? [...this.views.values()].find((v) => v.external_id === str(args.external_id))?.id;
        const existing = typeof id === 'string' ? this.views.get(id) : undefined;
        if (!existing) return slackError('not_found');
        if (str(args.hash) && str(args.hash) !== existing.hash) return slackError('hash_conflict');
        return this.viewReply(args.view, {}, existing.id as string);
      },

      'views.publish': (args) => {
        const userId = str(args.user_id);
        if (!userId || (this.users.size > 0 && !this.users.has(userId))) return slackError('user_not_found');
        return this.viewReply(args.view, { user_id: userId });
      },

      'reactions.add': (args) => {
        const channel = str(args.channel);
        const denied = this.channelError(channel);
        if (denied) return slackError(denied);
        const message = this.findMessage(channel!, str(args.timestamp) ?? '');
        if (!message) return slackError('message_not_found');
        const name = str(args.name);
        if (!name) return slackError('invalid_name');
        message.reactions ??= [];
        const existing = message.reactions.find((r) => r.name === name);
        if (existing?.users.includes(this.bot.userId)) return slackError('already_reacted');
        if (existing) {
          existing.users.push(this.bot.userId);
          existing.count += 1;
        } else {
          message.reactions.push({ name, users: [this.bot.userId], count: 1 });
        }
        return { ok: true };
      },
    };
  }

  private viewReply(view: unknown, extra: SlackArgs, id?: string): SlackArgs {
    if (typeof view !== 'object' || view === null) return slackError('invalid_arguments');
    const errors = validateView(view);
    if (errors.length > 0) return slackError('invalid_arguments', { response_metadata: { messages: errors } });
    return { ok: true, view: this.storeView(view as SlackArgs, extra, id) };
  }
}

// -----------------------------------------------------------------------------
// request parsing
// -----------------------------------------------------------------------------

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The WebClient sends `application/x-www-form-urlencoded` with JSON-stringified `blocks`
 * etc.; other clients send JSON. Both end up as the same parsed args. Unparseable JSON in
 * a JSON-valued form field is kept as a string (and rejected by the method, as Slack does).
 */
export function parseBody(raw: string, contentType: string | undefined): SlackArgs {
  if (!raw) return {};
  if (contentType?.includes('application/json')) {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as SlackArgs) : {};
  }
  const args: SlackArgs = Object.fromEntries(new URLSearchParams(raw));
  for (const key of JSON_ARGS) {
    if (typeof args[key] !== 'string') continue;
    try {
      args[key] = JSON.parse(args[key] as string);
    } catch {
      // leave as string
    }
  }
  return args;
}

function bearer(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

function failureReply(failure: FakeSlackFailure): Reply {
  if ('error' in failure) return { body: slackError(failure.error) };
  if ('retryAfterSec' in failure) {
    return {
      status: 429,
      headers: { 'retry-after': String(failure.retryAfterSec) },
      body: slackError('ratelimited'),
    };
  }
  if ('status' in failure) return { status: failure.status, body: slackError('fatal_error') };
  return { body: slackError('fatal_error') };
}
