import type {
  ActionsBlock,
  ActionsBlockElement,
  Button,
  ContextBlock,
  InputBlock,
  InputBlockElement,
  KnownBlock,
  ModalView,
  PlainTextElement,
  PlainTextOption,
  SectionBlock,
  TextObject,
} from '@slack/types';
import { safeSlice, truncate, truncateEscaped, truncateMrkdwn } from '../text/slack-text';
import type { SlackMessage } from './slack-message';

/**
 * Slack Block Kit limits (UTF-16 units, which over-count compared with Slack's
 * character counting and so err on the safe side).
 * See https://docs.slack.dev/reference/block-kit/blocks and the element references.
 */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  blocksPerModal: 100,
  headerText: 150,
  sectionText: 3000,
  fieldsPerSection: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  optionText: 75,
  optionValue: 75,
  selectOptions: 100,
  placeholder: 150,
  inputLabel: 2000,
  inputHint: 2000,
  inputInitialValue: 3000,
  modalTitle: 24,
  modalButton: 24,
  callbackId: 255,
  privateMetadata: 3000,
  /** Slack truncates `text` at 40k, but recommends staying under 4000. */
  fallbackText: 4000,
} as const;

const L = SLACK_LIMITS;

/** Truncates a text object visibly, never cutting an entity or (for mrkdwn) a control sequence or fence. */
export function clampText<T extends TextObject>(obj: T, max: number): T {
  if (obj.text.length <= max) return obj;
  const text = obj.type === 'mrkdwn' ? truncateMrkdwn(obj.text, max) : truncateEscaped(obj.text, max);
  return { ...obj, text };
}

function clampPlain(obj: PlainTextElement, max: number): PlainTextElement {
  return clampText(obj, max);
}

/**
 * Identifiers and values cannot be shortened "visibly" without changing their meaning;
 * they are cut bare so Slack accepts the payload. Builders keep them short in practice.
 */
function clampId<T extends string | undefined>(id: T, max: number): T {
  return (id === undefined ? id : safeSlice(id, max)) as T;
}

function clampOption(option: PlainTextOption): PlainTextOption {
  return {
    ...option,
    text: clampPlain(option.text, L.optionText),
    ...(option.value !== undefined && { value: clampId(option.value, L.optionValue) }),
    ...(option.description && { description: clampPlain(option.description, L.optionText) }),
  };
}

function clampButton(button: Button): Button {
  return {
    ...button,
    text: clampPlain(button.text, L.buttonText),
    ...(button.value !== undefined && { value: clampId(button.value, L.buttonValue) }),
    ...(button.action_id !== undefined && { action_id: clampId(button.action_id, L.actionId) }),
    ...(button.accessibility_label !== undefined && {
      accessibility_label: truncate(button.accessibility_label, L.buttonText),
    }),
  };
}

/** Clamps the element kinds our builders use; other elements pass through unchanged. */
function clampElement<T extends ActionsBlockElement | InputBlockElement>(element: T): T {
  const el = { ...element } as ActionsBlockElement | InputBlockElement;
  if ('action_id' in el && el.action_id !== undefined) el.action_id = clampId(el.action_id, L.actionId);
  if ('placeholder' in el && el.placeholder) el.placeholder = clampPlain(el.placeholder, L.placeholder);
  switch (el.type) {
    case 'button':
      return clampButton(el) as T;
    case 'static_select': {
      const options = el.options?.slice(0, L.selectOptions).map(clampOption);
      const initial = el.initial_option && clampOption(el.initial_option);
      return { ...el, ...(options && { options }), ...(initial && { initial_option: initial }) } as T;
    }
    case 'plain_text_input':
      return (
        el.initial_value !== undefined
          ? { ...el, initial_value: truncate(el.initial_value, L.inputInitialValue) }
          : el
      ) as T;
    default:
      return el as T;
  }
}

/** Splits sections with more than 10 fields into several sections so no field is lost. */
function clampSection(block: SectionBlock): SectionBlock[] {
  const base: SectionBlock = {
    ...block,
    ...(block.text && { text: clampText(block.text, L.sectionText) }),
    ...(block.block_id !== undefined && { block_id: clampId(block.block_id, L.blockId) }),
    ...(block.accessory && {
      accessory: clampElement(block.accessory as ActionsBlockElement) as SectionBlock['accessory'],
    }),
  };
  const fields = block.fields?.map((field) => clampText(field, L.fieldText));
  if (!fields || fields.length <= L.fieldsPerSection) return [fields ? { ...base, fields } : base];
  const sections: SectionBlock[] = [];
  for (let i = 0; i < fields.length; i += L.fieldsPerSection) {
    const chunk = fields.slice(i, i + L.fieldsPerSection);
    sections.push(
      i === 0 ? { ...base, fields: chunk } : { type: 'section', fields: chunk }, // block_ids must stay unique
    );
  }
  return sections;
}

function clampBlock(block: KnownBlock): KnownBlock[] {
  const withId = <B extends KnownBlock>(b: B): B =>
    b.block_id !== undefined ? { ...b, block_id: clampId(b.block_id, L.blockId) } : b;
  switch (block.type) {
    case 'header':
      return [withId({ ...block, text: clampPlain(block.text, L.headerText) })];
    case 'section':
      return clampSection(block);
    case 'actions': {
      const elements = block.elements.slice(0, L.actionsElements).map(clampElement);
      return [withId<ActionsBlock>({ ...block, elements })];
    }
    case 'context': {
      const elements = block.elements
        .slice(0, L.contextElements)
        .map((el) => ('text' in el && typeof el.text === 'string' ? clampText(el, L.contextText) : el));
      return [withId<ContextBlock>({ ...block, elements })];
    }
    case 'input':
      return [
        withId<InputBlock>({
          ...block,
          label: clampPlain(block.label, L.inputLabel),
          ...(block.hint && { hint: clampPlain(block.hint, L.inputHint) }),
          element: clampElement(block.element),
        }),
      ];
    default:
      return [withId(block)];
  }
}

/** Clamps every block, then caps the count, replacing the overflow with a visible notice. */
export function clampBlocks(blocks: KnownBlock[], maxBlocks: number): KnownBlock[] {
  const clamped = blocks.flatMap(clampBlock);
  if (clamped.length <= maxBlocks) return clamped;
  const kept = clamped.slice(0, maxBlocks - 1);
  const omitted = clamped.length - kept.length;
  return [
    ...kept,
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `:scissors: This message was shortened: ${omitted} more block${omitted === 1 ? ' was' : 's were'} omitted.`,
        },
      ],
    },
  ];
}

/**
 * Makes a message acceptable to Slack: truncates every over-long text visibly (with '…'),
 * splits oversized field lists and caps the message at 50 blocks. Never mutates its input.
 */
export function enforceLimits(message: SlackMessage): SlackMessage {
  return {
    text: truncateMrkdwn(message.text, L.fallbackText),
    blocks: clampBlocks(message.blocks, L.blocksPerMessage),
  };
}

/**
 * Same for modals. `private_metadata` is machine data that truncation would corrupt, so an
 * oversized one is a programming error and throws.
 */
export function enforceModalLimits(view: ModalView): ModalView {
  if (view.private_metadata && view.private_metadata.length > L.privateMetadata) {
    throw new RangeError(`private_metadata exceeds ${L.privateMetadata} characters`);
  }
  return {
    ...view,
    title: clampPlain(view.title, L.modalTitle),
    ...(view.submit && { submit: clampPlain(view.submit, L.modalButton) }),
    ...(view.close && { close: clampPlain(view.close, L.modalButton) }),
    ...(view.callback_id !== undefined && { callback_id: clampId(view.callback_id, L.callbackId) }),
    blocks: clampBlocks(view.blocks as KnownBlock[], L.blocksPerModal),
  };
}
