import { FakeSlackServer } from './support/fake-slack/fake-slack.server';
import { db, eventually, isRootFor, outboundEnv, settled } from './support/slack-outbound';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The OAuth v2 install flow against the fake Slack (oauth.v2.access), and what an installed
 * workspace is used for: its own bot token, encrypted at rest, for its own messages.
 */
describe('Slack OAuth install', () => {
  const slack = new FakeSlackServer({
    validTokens: [],
    oauth: [
      { code: 'good-code', clientId: 'client-1', clientSecret: 'secret-1', accessToken: 'xoxb-installed-0123456789', team: { id: 'T0NEW', name: 'New Team' }, botUserId: 'U0NEWBOT', appId: 'A0NEW', authedUserId: 'U0ADMIN' },
    ],
  });
  let t: TestApp;

  beforeAll(async () => {
    await slack.start();
    t = await startTestApp(
      outboundEnv(slack, {
        SLACK_BOT_TOKEN: '',
        SLACK_CLIENT_ID: 'client-1',
        SLACK_CLIENT_SECRET: 'secret-1',
        ENCRYPTION_KEY: 'an-encryption-key-for-tests-0123456789',
        SLACK_OAUTH_AUTHORIZE_URL: 'https://slack.example.com/oauth/v2/authorize',
        SLACK_DEFAULT_CHANNEL: 'C0NEWCH',
        APP_BASE_URL: 'https://threadline.example.com',
      }),
    );
  });
  afterAll(async () => {
    await t?.close();
    await slack.stop();
  });

  const install = async () => {
    const res = await t.http().get('/slack/oauth/install').expect(302);
    const location = new URL(res.headers.location);
    return { location, state: location.searchParams.get('state')! };
  };

  it('redirects to Slack with a single-use state, exchanges the code and stores the installation with its token encrypted', async () => {
    const { location, state } = await install();
    expect(`${location.origin}${location.pathname}`).toBe('https://slack.example.com/oauth/v2/authorize');
    expect(location.searchParams.get('client_id')).toBe('client-1');
    expect(location.searchParams.get('scope')).toContain('chat:write');
    expect(location.searchParams.get('redirect_uri')).toBe('https://threadline.example.com/slack/oauth/callback');
    expect(state).toMatch(/^[\w-]{20,}$/);

    const done = await t.http().get(`/slack/oauth/callback?code=good-code&state=${state}`).expect(200);
    expect(done.text).toContain('Threadline is installed');
    expect(done.text).toContain('New Team');
    const access = slack.calls('oauth.v2.access')[0];
    expect(access.args).toMatchObject({ client_id: 'client-1', client_secret: 'secret-1', code: 'good-code', redirect_uri: 'https://threadline.example.com/slack/oauth/callback' });

    const [row] = await db(t).query(`SELECT * FROM slack_installations WHERE team_id = 'T0NEW'`);
    expect(row).toMatchObject({ team_name: 'New Team', bot_user_id: 'U0NEWBOT', source: 'oauth', active: true, installed_by: 'U0ADMIN' });
    expect(row.bot_token_encrypted).toBeTruthy();
    expect(row.bot_token_encrypted).not.toContain('xoxb-installed');

    const status = (await t.http().get('/api/v1/integrations/slack').set('Authorization', t.admin).expect(200)).body;
    expect(status).toMatchObject({ enabled: true, oauthEnabled: true });
    expect(status.installations).toEqual([expect.objectContaining({ teamId: 'T0NEW', teamName: 'New Team', botUserId: 'U0NEWBOT', source: 'oauth', active: true })]);

    // The state is single use: replaying the callback fails, without another code exchange.
    const replay = await t.http().get(`/slack/oauth/callback?code=good-code&state=${state}`).expect(400);
    expect(replay.text).toContain('already used or has expired');
    expect(slack.calls('oauth.v2.access')).toHaveLength(1);
  });

  it('refuses bad callbacks with 4xx pages, never 500', async () => {
    await t.http().get('/slack/oauth/callback').expect(400);
    await t.http().get('/slack/oauth/callback?code=x&state=never-issued').expect(400);
    await t.http().get(`/slack/oauth/callback?code=x&state=${'s'.repeat(65)}`).expect(400);
    await t.http().get(`/slack/oauth/callback?error=access_denied&state=${(await install()).state}`).expect(400);
    // A code Slack does not know (or already used): Slack says invalid_code.
    const res = await t.http().get(`/slack/oauth/callback?code=good-code&state=${(await install()).state}`).expect(400);
    expect(res.text).toContain('invalid_code');
  });

  it('posts an installed workspace’s messages with its own token; a revoked token disables it', async () => {
    const ticket = (await t.http().post('/api/v1/tickets').set('Authorization', t.admin).send({ title: 'Via OAuth', priority: 'low' }).expect(201)).body;
    const root = await slack.waitFor(isRootFor(ticket.id), 5000);
    expect(root.token).toBe('xoxb-installed-0123456789');
    expect(root.args.channel).toBe('C0NEWCH');
    await settled(t, ticket.id);

    slack.revokeToken('xoxb-installed-0123456789');
    const later = (await t.http().post('/api/v1/tickets').set('Authorization', t.admin).send({ title: 'After revocation', priority: 'low' }).expect(201)).body;
    const [failed] = await settled(t, later.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, last_error: expect.stringContaining('invalid_auth') });
    const status = await eventually('the workspace to be disabled', async () => {
      const s = (await t.http().get('/api/v1/integrations/slack').set('Authorization', t.admin).expect(200)).body;
      return s.installations[0].active === false ? s : null;
    });
    expect(status.installations[0]).toMatchObject({ teamId: 'T0NEW', active: false, disabledReason: 'invalid_auth' });
    // Reinstalling brings it back.
    slack.addToken('xoxb-installed-0123456789');
  });
});

describe('Slack OAuth install: not configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SLACK_BOT_TOKEN: '' });
  });
  afterAll(() => t?.close());

  it('answers 404 on both endpoints', async () => {
    await t.http().get('/slack/oauth/install').expect(404);
    await t.http().get('/slack/oauth/callback?code=x&state=y').expect(404);
  });
});
