import { Injectable } from '@nestjs/common';
import { ErrorCode, WebClient } from '@slack/web-api';
import { CHANNEL_NAME } from './slack-routing';

/** Shaped like a Slack platform error, so classifySlackError treats it as the permanent `channel_not_found`. */
export function channelNotFound(ref: string): Error {
  return Object.assign(new Error(`An API error occurred: channel_not_found (${ref})`), {
    code: ErrorCode.PlatformError,
    data: { ok: false, error: 'channel_not_found' },
  });
}

interface TeamChannels {
  ids: Map<string, string>;
  names: Map<string, string>;
  loadedAt: number;
  loading?: Promise<void>;
}

/** A name missing from a fresh list is not looked up again for this long (channel created meanwhile). */
const RELOAD_AFTER_MS = 30_000;

/**
 * `#name` -> channel id, per workspace, from `conversations.list` (public and private channels the
 * bot can see), cached in process. Ids pass through untouched. Routes are stored with ids when the
 * admin API can resolve them, so this is mostly for SLACK_DEFAULT_CHANNEL given as a name.
 */
@Injectable()
export class SlackChannelResolver {
  private readonly teams = new Map<string, TeamChannels>();

  /** The id of a ref when known without asking Slack. */
  known(teamId: string, ref: string): string | undefined {
    if (!ref.startsWith('#')) return ref;
    return this.teams.get(teamId)?.ids.get(ref.slice(1).toLowerCase());
  }

  /** The name of a channel id, when a list has shown it. */
  nameOf(teamId: string, id: string): string | undefined {
    return this.teams.get(teamId)?.names.get(id);
  }

  async resolve(teamId: string, ref: string, client: WebClient): Promise<string> {
    if (!ref.startsWith('#')) return ref;
    if (!CHANNEL_NAME.test(ref)) throw channelNotFound(ref);
    const hit = this.known(teamId, ref);
    if (hit) return hit;
    const team = this.teams.get(teamId);
    if (!team || Date.now() - team.loadedAt > RELOAD_AFTER_MS || team.loading) await this.load(teamId, client);
    const id = this.known(teamId, ref);
    if (!id) throw channelNotFound(ref);
    return id;
  }

  /** Lists the workspace's channels (single flight per workspace). */
  async load(teamId: string, client: WebClient): Promise<void> {
    let team = this.teams.get(teamId);
    if (team?.loading) return team.loading;
    if (!team) {
      team = { ids: new Map(), names: new Map(), loadedAt: 0 };
      this.teams.set(teamId, team);
    }
    const t = team;
    t.loading = (async () => {
      const ids = new Map<string, string>();
      const names = new Map<string, string>();
      let cursor: string | undefined;
      for (let page = 0; page < 50; page++) {
        const res = await client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, cursor });
        for (const c of res.channels ?? []) {
          if (!c.id || !c.name) continue;
          ids.set(c.name.toLowerCase(), c.id);
          names.set(c.id, c.name);
        }
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
      t.ids = ids;
      t.names = names;
      t.loadedAt = Date.now();
    })().finally(() => (t.loading = undefined));
    return t.loading;
  }

  /** Remembers a channel the admin API just resolved or Slack just named. */
  remember(teamId: string, id: string, name: string): void {
    let team = this.teams.get(teamId);
    if (!team) {
      team = { ids: new Map(), names: new Map(), loadedAt: 0 };
      this.teams.set(teamId, team);
    }
    team.ids.set(name.replace(/^#/, '').toLowerCase(), id);
    team.names.set(id, name.replace(/^#/, ''));
  }
}
