/**
 * The real inference server of the E2E row (docs/llm-benchmarking.md): llama.cpp's llama-server
 * with a tiny random-weight GGUF, installed by `npm run setup:llama` and started by a run
 * with `--llm-provider llama-server`.
 */
export * from './paths.ts';
export { setupLlama, CMAKE_OPTIONS, type SetupStep } from './setup.ts';
export { startLlamaServer, LLAMA_SERVER_NAME, type LlamaServer, type LlamaServerOptions } from './server.ts';
