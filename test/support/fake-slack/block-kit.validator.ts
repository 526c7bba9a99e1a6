/**
 * A deliberately small re-implementation of the Block Kit limits Slack enforces, so
 * tests fail the way production would. Errors mimic Slack's response_metadata.messages:
 * "[ERROR] <problem> [json-pointer:/blocks/0/text/text]".
 */

type Json = Record<string, unknown>;

export const BLOCK_KIT_LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  optionText: 75,
  optionValue: 75,
  actionsElements: 25,
  contextElements: 10,
  modalTitle: 24,
} as const;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const textOf = (v: unknown): string | undefined => (isObject(v) && typeof v.text === 'string' ? v.text : undefined);

class Collector {
  readonly errors: string[] = [];

  add(problem: string, pointer: string): void {
    this.errors.push(`[ERROR] ${problem} [json-pointer:${pointer}]`);
  }

  maxLen(value: string | undefined, max: number, pointer: string): void {
    if (value !== undefined && value.length > max) this.add(`must be less than ${max + 1} characters`, pointer);
  }

  maxItems(value: unknown[] | undefined, max: number, pointer: string): void {
    if (value && value.length > max) this.add(`must be at most ${max} items`, pointer);
  }
}

function validateElement(el: unknown, at: string, c: Collector): void {
  if (!isObject(el)) return c.add('must be an object', at);
  if (typeof el.action_id === 'string') c.maxLen(el.action_id, BLOCK_KIT_LIMITS.actionId, `${at}/action_id`);
  if (el.type === 'button') {
    const text = textOf(el.text);
    if (!text) c.add('must provide a text object', `${at}/text`);
    c.maxLen(text, BLOCK_KIT_LIMITS.buttonText, `${at}/text/text`);
    if (typeof el.value === 'string') c.maxLen(el.value, BLOCK_KIT_LIMITS.buttonValue, `${at}/value`);
  }
  if (Array.isArray(el.options)) {
    el.options.forEach((opt, i) => {
      c.maxLen(textOf(isObject(opt) ? opt.text : undefined), BLOCK_KIT_LIMITS.optionText, `${at}/options/${i}/text/text`);
      if (isObject(opt) && typeof opt.value === 'string') {
        c.maxLen(opt.value, BLOCK_KIT_LIMITS.optionValue, `${at}/options/${i}/value`);
      }
    });
  }
}

function validateBlock(block: unknown, at: string, c: Collector): void {
  if (!isObject(block) || typeof block.type !== 'string') return c.add('must be a block object with a type', at);
  if (typeof block.block_id === 'string') c.maxLen(block.block_id, BLOCK_KIT_LIMITS.blockId, `${at}/block_id`);
  switch (block.type) {
    case 'header': {
      const text = textOf(block.text);
      if (!text) c.add('must provide a text object', `${at}/text`);
      c.maxLen(text, BLOCK_KIT_LIMITS.headerText, `${at}/text/text`);
      break;
    }
    case 'section': {
      const fields = Array.isArray(block.fields) ? block.fields : undefined;
      if (block.text === undefined && !fields) c.add('must provide either text or fields', at);
      const text = textOf(block.text);
      if (block.text !== undefined && !text) c.add('must be more than 0 characters', `${at}/text/text`);
      c.maxLen(text, BLOCK_KIT_LIMITS.sectionText, `${at}/text/text`);
      c.maxItems(fields, BLOCK_KIT_LIMITS.sectionFields, `${at}/fields`);
      fields?.forEach((f, i) => c.maxLen(textOf(f), BLOCK_KIT_LIMITS.fieldText, `${at}/fields/${i}/text`));
      if (block.accessory !== undefined) validateElement(block.accessory, `${at}/accessory`, c);
      break;
    }
    case 'actions': {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length === 0) c.add('must provide at least one element', `${at}/elements`);
      c.maxItems(elements, BLOCK_KIT_LIMITS.actionsElements, `${at}/elements`);
      elements.forEach((el, i) => validateElement(el, `${at}/elements/${i}`, c));
      break;
    }
    case 'context': {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length === 0) c.add('must provide at least one element', `${at}/elements`);
      c.maxItems(elements, BLOCK_KIT_LIMITS.contextElements, `${at}/elements`);
      break;
    }
    case 'input':
      if (!isObject(block.label)) c.add('must provide a label', `${at}/label`);
      validateElement(block.element, `${at}/element`, c);
      break;
    default:
      break;
  }
}

/** Validates message blocks (chat.postMessage / chat.update). Returns Slack-style error lines. */
export function validateMessageBlocks(blocks: unknown): string[] {
  const c = new Collector();
  if (!Array.isArray(blocks)) {
    c.add('must be an array', '/blocks');
    return c.errors;
  }
  c.maxItems(blocks, BLOCK_KIT_LIMITS.messageBlocks, '/blocks');
  blocks.forEach((b, i) => validateBlock(b, `/blocks/${i}`, c));
  return c.errors;
}

/** Validates a modal or home view (views.open / views.update / views.publish). */
export function validateView(view: unknown): string[] {
  const c = new Collector();
  if (!isObject(view) || !Array.isArray(view.blocks)) {
    c.add('must provide a view with blocks', '/view');
    return c.errors;
  }
  if (view.type === 'modal') {
    const title = textOf(view.title);
    if (!title) c.add('must provide a title', '/view/title');
    c.maxLen(title, BLOCK_KIT_LIMITS.modalTitle, '/view/title/text');
    c.maxLen(textOf(view.submit), BLOCK_KIT_LIMITS.modalTitle, '/view/submit/text');
    c.maxLen(textOf(view.close), BLOCK_KIT_LIMITS.modalTitle, '/view/close/text');
    const hasInput = view.blocks.some((b) => isObject(b) && b.type === 'input');
    if (hasInput && !view.submit) c.add('must provide submit when the view has input blocks', '/view/submit');
  }
  c.maxItems(view.blocks, BLOCK_KIT_LIMITS.modalBlocks, '/view/blocks');
  view.blocks.forEach((b, i) => validateBlock(b, `/view/blocks/${i}`, c));
  return c.errors;
}
