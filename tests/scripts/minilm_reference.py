"""Python onnxruntime's sentence embeddings, the reference the semantic-search example is
compared with: tokenize (no padding, cut at 256 tokens), run the model, mean-pool over the
attention mask, L2-normalise.

Usage: python minilm_reference.py MODEL TOKENIZER < texts.json > embeddings.json
"""

import json
import sys

import numpy as np
import onnxruntime
from tokenizers import Tokenizer


def main() -> None:
    model, tokenizer_file = sys.argv[1], sys.argv[2]
    texts = json.load(sys.stdin)
    tokenizer = Tokenizer.from_file(tokenizer_file)
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=256)
    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    embeddings = []
    for text in texts:
        encoding = tokenizer.encode(text)
        ids = np.array([encoding.ids], dtype=np.int64)
        mask = np.array([encoding.attention_mask], dtype=np.int64)
        hidden = session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )[0][0]
        weights = mask[0].astype(np.float32)[:, None]
        mean = (hidden * weights).sum(axis=0) / max(weights.sum(), 1e-9)
        embeddings.append((mean / np.linalg.norm(mean)).tolist())
    json.dump(embeddings, sys.stdout)


if __name__ == "__main__":
    main()
