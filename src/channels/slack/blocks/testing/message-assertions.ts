import { validateMessageBlocks, validateView } from '../../../../../test/support/fake-slack/block-kit.validator';
import type { SlackMessage } from '../slack-message';

/** Lone surrogates mean a pair was split by truncation. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Every `<@…>` in the payload; only trusted ids from view models may appear. */
export function mentionsIn(payload: unknown): string[] {
  return [...JSON.stringify(payload).matchAll(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g)].map((m) => m[1]);
}

/** Asserts what must hold for every message we send, whatever the input. */
export function expectSlackSafe(message: SlackMessage, allowedMentions: string[] = []): void {
  const json = JSON.stringify(message);
  expect(json).not.toContain('<!');
  expect(json).not.toContain('<#');
  expect(json).not.toMatch(/<https?:\/\/evil/);
  expect(json).not.toMatch(LONE_SURROGATE);
  for (const id of mentionsIn(message)) expect(allowedMentions).toContain(id);
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(4000);
  expect(validateMessageBlocks(message.blocks)).toEqual([]);
}

export function expectValidView(view: unknown): void {
  expect(validateView(view)).toEqual([]);
  expect(JSON.stringify(view)).not.toContain('<!');
}
