"""Writes a tiny random-weight llama-architecture GGUF model for llama-server.

The kit's real-server E2E (docs/llm-benchmarking.md) needs a model that a real inference
engine loads and runs; its answers do not matter, its timings do. This one is 128-dim,
2 layers, 4 heads, with a SentencePiece-style ("llama") vocabulary of 534 tokens:
<unk>, <s>, </s>, the 256 byte-fallback tokens <0x00>..<0xFF>, and 275 pieces. The
output rows of the special and byte tokens are zero, so their logits are 0 while every
piece's is far above (a random row times a hidden state of norm ~11): top-k sampling
never picks a byte (no half UTF-8 characters in a stream), and each generated token
is one content chunk. A chat template makes /v1/chat/completions work.

Usage: python write_tiny_gguf.py OUT.gguf [--seed N]   (needs the gguf package, 0.19)
"""

import argparse
import os

import gguf
import numpy as np

N_EMBD = 128
N_LAYER = 2
N_HEAD = 4
N_FF = 256
N_CTX = 2048
N_PIECES = 275

CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}</s>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)

WORDS = (
    "the of and to in is that it for on with as was at by be this from or an are not have but"
    " which one all were they we when there can more will would if about out up what so their"
    " time only some them into other than then its also two over new first any these may like"
    " model token stream server request latency load test queue cache store event answer"
).split()


def pieces() -> list[str]:
    """275 distinct pieces: words with the SentencePiece space mark, letters, digits, syllables."""
    out: list[str] = []
    seen: set[str] = set()

    def add(p: str) -> None:
        if p not in seen and len(out) < N_PIECES:
            seen.add(p)
            out.append(p)

    for w in WORDS:
        add("\u2581" + w)
    for c in "abcdefghijklmnopqrstuvwxyz":
        add("\u2581" + c)
        add(c)
    for c in "0123456789.,!?-':":
        add(c)
    add("\u2581")
    for c in "bcdfghjklmnprstvwyz":
        for v in "aeiou":
            add(c + v)
    for c in "bcdfghjklmnprstvwyz":
        for v in "aeiou":
            add("\u2581" + c + v)
    if len(out) != N_PIECES:
        raise SystemExit(f"internal: {len(out)} pieces, expected {N_PIECES}")
    return out


def vocab() -> tuple[list[str], list[float], list[int]]:
    tokens = ["<unk>", "<s>", "</s>"]
    types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
    for b in range(256):
        tokens.append(f"<0x{b:02X}>")
        types.append(gguf.TokenType.BYTE)
    ps = pieces()
    tokens += ps
    types += [gguf.TokenType.NORMAL] * len(ps)
    # SentencePiece scores: log-probabilities, higher merges first; special and bytes last.
    scores = [0.0] * 3 + [-1000.0] * 256 + [-float(i) for i in range(len(ps))]
    return tokens, scores, [int(t) for t in types]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    tokens, scores, types = vocab()
    n_vocab = len(tokens)
    first_piece = 3 + 256

    def rand(*shape: int, scale: float) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    tmp = args.out + ".tmp"
    w = gguf.GGUFWriter(tmp, "llama")
    w.add_name("k6-llm-perf tiny random llama")
    w.add_context_length(N_CTX)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD)
    w.add_rope_dimension_count(N_EMBD // N_HEAD)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(n_vocab)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_unk_token_id(0)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    w.add_chat_template(CHAT_TEMPLATE)

    w.add_tensor("token_embd.weight", rand(n_vocab, N_EMBD, scale=0.5))
    for i in range(N_LAYER):
        s = 1 / np.sqrt(N_EMBD)
        w.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            w.add_tensor(f"blk.{i}.{name}.weight", rand(N_EMBD, N_EMBD, scale=s))
        w.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        w.add_tensor(f"blk.{i}.ffn_gate.weight", rand(N_FF, N_EMBD, scale=s))
        w.add_tensor(f"blk.{i}.ffn_up.weight", rand(N_FF, N_EMBD, scale=s))
        w.add_tensor(f"blk.{i}.ffn_down.weight", rand(N_EMBD, N_FF, scale=1 / np.sqrt(N_FF)))
    w.add_tensor("output_norm.weight", np.ones(N_EMBD, dtype=np.float32))
    output = rand(n_vocab, N_EMBD, scale=0.5)
    output[:first_piece] = 0.0
    w.add_tensor("output.weight", output)

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    os.replace(tmp, args.out)
    print(f"wrote {args.out}: {n_vocab} tokens, {N_LAYER} layers, {N_EMBD}-dim, {os.path.getsize(args.out)} bytes")


if __name__ == "__main__":
    main()
