/**
 * Where the real-server E2E's pieces live, and their pinned versions (pinned here only):
 * llama.cpp's `llama-server`, built from the source that the PyPI sdist of
 * `llama-cpp-python` vendors, and a tiny random-weight GGUF written by write_tiny_gguf.py
 * with the `gguf` package. Everything sits under ~/.cache/k6-llm-perf/llama/:
 *
 *   src/llama_cpp_python-<v>.tar.gz    the sdist (pip download)
 *   <v>/bin/llama-server               the binary; <v>/bin/.complete once it is whole
 *   venv/                              a virtualenv holding gguf
 *   models/tiny-llama-<hash>.gguf      the model; <hash> is of the writer script, so a
 *                                      change to the script writes a new model
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheDir } from '../setup/detect.ts';

export const LLAMA_CPP_PYTHON_VERSION = '0.3.36';
export const GGUF_VERSION = '0.19.0';

export const GGUF_WRITER = resolve(import.meta.dirname, 'write_tiny_gguf.py');

export function llamaDir(): string {
  return join(cacheDir(), 'llama');
}

export function llamaBinDir(): string {
  return join(llamaDir(), LLAMA_CPP_PYTHON_VERSION, 'bin');
}

export function llamaServerBinary(): string {
  return join(llamaBinDir(), 'llama-server');
}

export function llamaVenv(): string {
  return join(llamaDir(), 'venv');
}

export function llamaModelPath(): string {
  const hash = createHash('sha256').update(readFileSync(GGUF_WRITER)).digest('hex').slice(0, 12);
  return join(llamaDir(), 'models', `tiny-llama-${hash}.gguf`);
}

export function llamaServerInstalled(): boolean {
  return existsSync(join(llamaBinDir(), '.complete')) && existsSync(llamaServerBinary());
}

export function llamaModelPresent(): boolean {
  return existsSync(llamaModelPath());
}

/** What `npm run setup:llama` still has to install, for people; empty when all is there. */
export function llamaMissing(): string[] {
  const missing: string[] = [];
  if (!llamaServerInstalled()) missing.push(`llama-server (llama-cpp-python ${LLAMA_CPP_PYTHON_VERSION} source)`);
  if (!llamaModelPresent()) missing.push('the tiny GGUF model');
  return missing;
}
