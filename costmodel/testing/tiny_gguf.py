"""Write a tiny random-weight llama-architecture GGUF model (no download), for llama-cpp-python's server.

Needs the optional ``gguf`` package (and numpy). The model talks nonsense but runs the real
inference path: prefill, sampling, detokenisation, streaming. Sizes (measured on 2 CPU
cores): 64-dim / 2 layers ≈ 0.7 MB and ~2,000 tokens/s;
1024-dim / 8 layers ≈ 540 MB and ~41 tokens/s.

The vocabulary is SPM-style: ``<unk>`` (0), ``<s>`` (1), ``</s>`` (2), the 256 byte tokens
``<0x00>``…``<0xFF>`` and some word pieces. Random byte tokens often decode to nothing (an
incomplete UTF-8 sequence), which is why a stream's chunks are not its tokens.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["EOS_TOKEN_ID", "write_tiny_llama_gguf"]

EOS_TOKEN_ID = 2

_WORD_TEXT = (
    "the of and to in is that for it with as was on be at by this had not are but from or have an they "
    "which one you were her all she there would their we him been has when who will more no if out so "
    "said what up its about into than them can only other new some could time these two may then do "
    "first any my now such like our over man me even most made after also did many before must through "
    "back years where much your way well down should because each just those people how too little state "
    "good very make world still own see men work long get here between both life being under never day "
    "same another know while last might us great old year off come since against go came right used take "
    "three lorem ipsum dolor sit amet"
)

CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|> {{ message['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|> {% endif %}"
)


def write_tiny_llama_gguf(
    path: Path,
    *,
    n_embd: int = 64,
    n_layer: int = 2,
    n_head: int = 4,
    n_ff: int = 172,
    n_ctx: int = 1024,
    seed: int = 0,
) -> Path:
    """Write the model file and return its path."""
    import numpy as np
    from gguf import GGUFWriter, LlamaFileType, TokenType

    tokens: list[bytes] = [b"<unk>", b"<s>", b"</s>"]
    types: list[int] = [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL]
    scores: list[float] = [0.0, 0.0, 0.0]
    for b in range(256):
        tokens.append(f"<0x{b:02X}>".encode())
        types.append(TokenType.BYTE)
        scores.append(0.0)
    for i, word in enumerate(dict.fromkeys(_WORD_TEXT.split())):
        for piece in (f"\u2581{word}", word):
            tokens.append(piece.encode())
            types.append(TokenType.NORMAL)
            scores.append(-float(i))
    n_vocab = len(tokens)

    rng = np.random.default_rng(seed)

    def weight(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    w = GGUFWriter(str(path), "llama")
    w.add_name("costmodel-tiny-random")
    w.add_context_length(n_ctx)
    w.add_embedding_length(n_embd)
    w.add_block_count(n_layer)
    w.add_feed_forward_length(n_ff)
    w.add_head_count(n_head)
    w.add_head_count_kv(n_head)
    w.add_rope_dimension_count(n_embd // n_head)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_file_type(LlamaFileType.ALL_F32)
    w.add_vocab_size(n_vocab)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_scores(scores)
    w.add_bos_token_id(1)
    w.add_eos_token_id(EOS_TOKEN_ID)
    w.add_unk_token_id(0)
    w.add_add_bos_token(True)
    w.add_chat_template(CHAT_TEMPLATE)
    # numpy shapes are the reverse of ggml's dimension order
    w.add_tensor("token_embd.weight", weight(n_vocab, n_embd))
    w.add_tensor("output_norm.weight", np.ones(n_embd, dtype=np.float32))
    w.add_tensor("output.weight", weight(n_vocab, n_embd))
    for i in range(n_layer):
        w.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(n_embd, dtype=np.float32))
        w.add_tensor(f"blk.{i}.attn_q.weight", weight(n_embd, n_embd))
        w.add_tensor(f"blk.{i}.attn_k.weight", weight(n_embd, n_embd))
        w.add_tensor(f"blk.{i}.attn_v.weight", weight(n_embd, n_embd))
        w.add_tensor(f"blk.{i}.attn_output.weight", weight(n_embd, n_embd))
        w.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(n_embd, dtype=np.float32))
        w.add_tensor(f"blk.{i}.ffn_gate.weight", weight(n_ff, n_embd))
        w.add_tensor(f"blk.{i}.ffn_up.weight", weight(n_ff, n_embd))
        w.add_tensor(f"blk.{i}.ffn_down.weight", weight(n_embd, n_ff))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path
