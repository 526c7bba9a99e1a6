import type { KnownBlock, ModalView, SectionBlock } from '@slack/types';
import { enforceLimits, enforceModalLimits, SLACK_LIMITS } from './limits';
import { expectSlackSafe } from './testing/message-assertions';

const long = (n: number, ch = 'x') => ch.repeat(n);
const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('enforceLimits', () => {
  it('leaves a message within limits unchanged', () => {
    const message = { text: 'hi', blocks: [section('hello')] };
    expect(enforceLimits(message)).toEqual(message);
  });

  it('does not mutate its input', () => {
    const message = { text: long(5000), blocks: [section(long(5000))] };
    const copy = structuredClone(message);
    enforceLimits(message);
    expect(message).toEqual(copy);
  });

  it('truncates the fallback text visibly to 4000 characters', () => {
    const { text } = enforceLimits({ text: long(100_000), blocks: [] });
    expect(text).toHaveLength(SLACK_LIMITS.fallbackText);
    expect(text.endsWith('…')).toBe(true);
  });

  it('truncates header text to 150 characters', () => {
    const out = enforceLimits({
      text: 't',
      blocks: [{ type: 'header', text: { type: 'plain_text', text: long(1000) } }],
    });
    const header = out.blocks[0] as Extract<KnownBlock, { type: 'header' }>;
    expect(header.text.text).toHaveLength(150);
    expect(header.text.text.endsWith('…')).toBe(true);
  });

  it('truncates section text to 3000 characters', () => {
    const out = enforceLimits({ text: 't', blocks: [section(long(100_000))] });
    expect((out.blocks[0] as SectionBlock).text!.text).toHaveLength(3000);
  });

  it('splits more than 10 fields into several sections without losing any', () => {
    const fields = Array.from({ length: 100 }, (_, i) => ({ type: 'mrkdwn' as const, text: `f${i}` }));
    const out = enforceLimits({ text: 't', blocks: [{ type: 'section', block_id: 'f', fields }] });
    expect(out.blocks).toHaveLength(10);
    const all = out.blocks.flatMap((b) => (b as SectionBlock).fields!.map((f) => f.text));
    expect(all).toEqual(fields.map((f) => f.text));
    expect(out.blocks.filter((b) => b.block_id === 'f')).toHaveLength(1);
    expectSlackSafe(out);
  });

  it('truncates each field to 2000 characters', () => {
    const out = enforceLimits({
      text: 't',
      blocks: [{ type: 'section', fields: [{ type: 'mrkdwn', text: long(5000) }] }],
    });
    expect((out.blocks[0] as SectionBlock).fields![0].text).toHaveLength(2000);
  });

  it('caps buttons: text 75, value 2000, action_id 255', () => {
    const out = enforceLimits({
      text: 't',
      blocks: [
        {
          type: 'actions',
          elements: [
            { type: 'button', text: { type: 'plain_text', text: long(500) }, value: long(5000), action_id: long(500) },
          ],
        },
      ],
    });
    expectSlackSafe(out);
    const button = (out.blocks[0] as Extract<KnownBlock, { type: 'actions' }>).elements[0] as {
      text: { text: string };
      value: string;
      action_id: string;
    };
    expect(button.text.text).toHaveLength(75);
    expect(button.value).toHaveLength(2000);
    expect(button.action_id).toHaveLength(255);
  });

  it('caps static select option text at 75 and keeps the initial option matching', () => {
    const option = { text: { type: 'plain_text' as const, text: long(200) }, value: 'v' };
    const out = enforceLimits({
      text: 't',
      blocks: [{ type: 'actions', elements: [{ type: 'static_select', options: [option], initial_option: option }] }],
    });
    const select = (out.blocks[0] as Extract<KnownBlock, { type: 'actions' }>).elements[0] as {
      options: unknown[];
      initial_option: unknown;
    };
    expect((select.options[0] as typeof option).text.text).toHaveLength(75);
    expect(select.initial_option).toEqual(select.options[0]);
  });

  it('caps a message at 50 blocks and says so in a final context block', () => {
    const blocks = Array.from({ length: 120 }, (_, i) => section(`block ${i}`));
    const out = enforceLimits({ text: 't', blocks });
    expect(out.blocks).toHaveLength(50);
    expect(out.blocks[48]).toEqual(section('block 48'));
    expect(JSON.stringify(out.blocks[49])).toContain('71 more blocks were omitted');
    expectSlackSafe(out);
  });

  it('never splits surrogate pairs when truncating', () => {
    const out = enforceLimits({ text: '😀'.repeat(5000), blocks: [section('😀'.repeat(5000))] });
    expectSlackSafe(out);
  });
});

describe('enforceModalLimits', () => {
  const modal = (overrides: Partial<ModalView> = {}): ModalView => ({
    type: 'modal',
    title: { type: 'plain_text', text: 'Title' },
    blocks: [],
    ...overrides,
  });

  it('truncates title, submit and close to 24 characters', () => {
    const out = enforceModalLimits(
      modal({
        title: { type: 'plain_text', text: long(100) },
        submit: { type: 'plain_text', text: long(100) },
        close: { type: 'plain_text', text: long(100) },
      }),
    );
    expect(out.title.text).toHaveLength(24);
    expect(out.submit!.text).toHaveLength(24);
    expect(out.close!.text).toHaveLength(24);
  });

  it('caps modals at 100 blocks', () => {
    const blocks = Array.from({ length: 150 }, (_, i) => section(`b${i}`));
    expect(enforceModalLimits(modal({ blocks })).blocks).toHaveLength(100);
  });

  it('caps plain text input initial values at 3000 characters', () => {
    const out = enforceModalLimits(
      modal({
        blocks: [
          {
            type: 'input',
            label: { type: 'plain_text', text: 'x' },
            element: { type: 'plain_text_input', action_id: 'a', initial_value: long(10_000) },
          },
        ],
      }),
    );
    expect(JSON.stringify(out)).toContain(`"initial_value":"${long(2999)}…"`);
  });

  it('rejects private_metadata over 3000 characters instead of corrupting it', () => {
    expect(() => enforceModalLimits(modal({ private_metadata: long(3001) }))).toThrow(RangeError);
  });
});
