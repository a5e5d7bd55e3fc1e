/**
 * Element-by-element validation of content arrays: Anthropic content blocks
 * (`messages.N.content`, `system`) and OpenAI content parts (`messages[N].content`).
 * Each element must be an object whose `type` is one this stub knows, with that type's
 * required fields of the right JSON type; extra fields (cache_control, citations, ...)
 * are allowed, as the real APIs allow them. The first problem is returned, named by
 * its path in the provider's own spelling (`messages.0.content.2.text` for Anthropic,
 * `messages[0].content[2].text` for OpenAI).
 */

export interface ContentProblem {
  error: string;
  param: string;
}

/** How a provider spells a path: Anthropic `a.0.b`, OpenAI `a[0].b`. */
export type PathStyle = 'dots' | 'brackets';

export function pathAt(base: string, key: string | number, style: PathStyle): string {
  return typeof key === 'number' && style === 'brackets' ? `${base}[${key}]` : `${base}.${key}`;
}

export type Kind = 'string' | 'object' | 'boolean';

/** One field of a block: its JSON type, whether it may be absent, and (objects) its own fields. */
export interface FieldSpec {
  name: string;
  kind: Kind;
  optional?: boolean;
  fields?: FieldSpec[];
}

const str = (name: string, optional = false): FieldSpec => ({ name, kind: 'string', optional });
const obj = (name: string, fields?: FieldSpec[]): FieldSpec => ({ name, kind: 'object', fields });

/** Anthropic block types and their required fields (tool_result's `content` is checked apart). */
export const ANTHROPIC_BLOCKS: Record<string, FieldSpec[]> = {
  text: [str('text')],
  image: [obj('source', [str('type')])],
  document: [obj('source', [str('type')])],
  tool_use: [str('id'), str('name'), obj('input')],
  tool_result: [str('tool_use_id'), { name: 'is_error', kind: 'boolean', optional: true }],
  thinking: [str('thinking'), str('signature')],
  redacted_thinking: [str('data')],
};
/** Blocks allowed inside a tool_result's `content` array. */
export const TOOL_RESULT_BLOCKS = ['text', 'image', 'document'];
export const ANTHROPIC_MESSAGE_BLOCKS = Object.keys(ANTHROPIC_BLOCKS);
export const ANTHROPIC_SYSTEM_BLOCKS = ['text'];

/** OpenAI content part types and their required fields. */
export const OPENAI_PARTS: Record<string, FieldSpec[]> = {
  text: [str('text')],
  image_url: [obj('image_url', [str('url'), str('detail', true)])],
  input_audio: [obj('input_audio', [str('data'), str('format')])],
  file: [obj('file')],
  refusal: [str('refusal')],
};
/** The part types each OpenAI role may send (as the Chat Completions reference lists them). */
export const OPENAI_PARTS_BY_ROLE: Record<string, string[]> = {
  user: ['text', 'image_url', 'input_audio', 'file'],
  assistant: ['text', 'refusal'],
  system: ['text'],
  developer: ['text'],
  tool: ['text'],
  function: ['text'],
};

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

function hasKind(v: unknown, kind: Kind): boolean {
  if (kind === 'object') return typeof v === 'object' && v !== null && !Array.isArray(v);
  return typeof v === kind;
}

const ARTICLE: Record<Kind, string> = { string: 'a string', object: 'an object', boolean: 'a boolean' };

function checkFields(
  value: Record<string, unknown>,
  specs: FieldSpec[],
  path: string,
  style: PathStyle,
): ContentProblem | null {
  for (const spec of specs) {
    const at = pathAt(path, spec.name, style);
    const v = value[spec.name];
    if (v === undefined && spec.optional) continue;
    if (v === undefined) return { error: `${at}: Field required (${ARTICLE[spec.kind]})`, param: at };
    if (!hasKind(v, spec.kind))
      return { error: `${at}: expected ${ARTICLE[spec.kind]}, got ${describe(v)}`, param: at };
    if (spec.fields) {
      const inner = checkFields(v as Record<string, unknown>, spec.fields, at, style);
      if (inner) return inner;
    }
  }
  return null;
}

/** One element: an object, a known and allowed `type`, then that type's fields. */
function checkElement(
  el: unknown,
  at: string,
  style: PathStyle,
  table: Record<string, FieldSpec[]>,
  allowed: readonly string[],
  what: string,
  where = '',
): ContentProblem | null {
  if (typeof el !== 'object' || el === null || Array.isArray(el)) {
    return { error: `${at}: expected a ${what} object with a "type", got ${describe(el)}`, param: at };
  }
  const b = el as Record<string, unknown>;
  const typeAt = pathAt(at, 'type', style);
  if (typeof b.type !== 'string' || !allowed.includes(b.type)) {
    const got = b.type === undefined ? 'nothing' : describe(b.type);
    return { error: `${typeAt}: expected one of ${allowed.join(', ')}${where}, got ${got}`, param: typeAt };
  }
  return checkFields(b, table[b.type]!, at, style);
}

/** A tool_result's `content`: absent, a string, or an array of text/image/document blocks. */
function checkToolResultContent(block: Record<string, unknown>, at: string): ContentProblem | null {
  const c = block.content;
  if (c === undefined || typeof c === 'string') return null;
  const cAt = pathAt(at, 'content', 'dots');
  if (!Array.isArray(c))
    return { error: `${cAt}: expected a string or an array of content blocks, got ${describe(c)}`, param: cAt };
  for (let j = 0; j < c.length; j++) {
    const p = checkElement(c[j], pathAt(cAt, j, 'dots'), 'dots', ANTHROPIC_BLOCKS, TOOL_RESULT_BLOCKS, 'content block');
    if (p) return p;
  }
  return null;
}

/** Anthropic: every element of a content (or system) array, `allowed` being the block types accepted there. */
export function checkAnthropicBlocks(
  blocks: unknown[],
  path: string,
  allowed: readonly string[],
): ContentProblem | null {
  for (let i = 0; i < blocks.length; i++) {
    const at = pathAt(path, i, 'dots');
    const p = checkElement(blocks[i], at, 'dots', ANTHROPIC_BLOCKS, allowed, 'content block');
    if (p) return p;
    const b = blocks[i] as Record<string, unknown>;
    if (b.type === 'tool_result') {
      const inner = checkToolResultContent(b, at);
      if (inner) return inner;
    }
  }
  return null;
}

/** OpenAI: every element of a message's content array, for the message's role. */
export function checkOpenAiParts(parts: unknown[], path: string, role: string): ContentProblem | null {
  const allowed = OPENAI_PARTS_BY_ROLE[role] ?? ['text'];
  for (let i = 0; i < parts.length; i++) {
    const p = checkElement(
      parts[i],
      pathAt(path, i, 'brackets'),
      'brackets',
      OPENAI_PARTS,
      allowed,
      'content part',
      ` (for role ${role})`,
    );
    if (p) return p;
  }
  return null;
}
