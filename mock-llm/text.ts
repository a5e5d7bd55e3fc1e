/**
 * Deterministic text and the stub's tokenizer.
 *
 * Output: a token is one entry of VOCAB (a word with its leading space, or a
 * punctuation mark); the first token of a reply drops its leading space. A reply of
 * n tokens is n draws from the TEXT stream of the request's generator, so
 * usage.output_tokens is exactly the number of text pieces sent.
 *
 * Input: input tokens = ceil(characters of all prompt text / 4), at least 1, where
 * prompt text is the system prompt plus every message's text (string content or
 * the `text` of text blocks). Roughly what real tokenizers give for English.
 */
import type { Rng } from './prng.ts';

const WORDS = (
  'the of and to in is that it for on with as was at by be this are from or an have not which but ' +
  'all were they we one has their there been if more when will would who so no can said its about ' +
  'into than them some could time these two may then do first any my now such like our over man ' +
  'even most made after also did many before must through back years where much your way well down ' +
  'should because each just those people how too little state good very make world still own see men ' +
  'work long get here between both life being under never day same another know while last might us ' +
  'great old year off come since against go came right used take three system data queue latency ' +
  'token stream request service cache model prompt answer result value metric test load stress ' +
  'network server client record event outbox relay worker batch window signal budget capacity'
).split(' ');

/** The vocabulary: words with a leading space, and punctuation (drawn less often). */
export const VOCAB: readonly string[] = [...WORDS.map((w) => ' ' + w), '.', ',', '.', ','];
/** The first token of a reply: the same entries without the leading space. */
export const VOCAB_FIRST: readonly string[] = VOCAB.map((t) => t.replace(/^ /, ''));

// Every piece is plain ASCII letters, spaces and punctuation: JSON needs no escaping,
// so replies are assembled by concatenation (see `joinTokens`).
for (const piece of VOCAB) if (!/^[ a-z.,]+$/.test(piece)) throw new Error(`vocabulary piece needs escaping: ${piece}`);

/** Draws n token indices into VOCAB. The first token is always a word. */
export function drawTokens(n: number, rng: Rng): Uint16Array {
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = i === 0 ? rng.int(WORDS.length) : rng.int(VOCAB.length);
  }
  return out;
}

/** The text piece of token i of a reply. */
export function tokenText(tokens: Uint16Array, i: number): string {
  return i === 0 ? VOCAB_FIRST[tokens[0]!]! : VOCAB[tokens[i]!]!;
}

/** The whole reply text. */
export function joinTokens(tokens: Uint16Array): string {
  let s = '';
  for (let i = 0; i < tokens.length; i++) s += tokenText(tokens, i);
  return s;
}

/** Input tokens for a number of prompt characters. */
export function countInputTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

/** Characters of text in a message `content` (a string or an array of blocks with `text`). */
export function contentChars(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let n = 0;
  for (const block of content) {
    if (block && typeof block === 'object' && typeof (block as { text?: unknown }).text === 'string') {
      n += (block as { text: string }).text.length;
    }
  }
  return n;
}
