"""Trains three small tokenizers with Hugging Face's `tokenizers` and records, per id, the
token as stored and the reference decoder's text for that token alone.

Written to tests/fixtures/tokenizers/: `<name>.json` (the tokenizer.json) and
`expected.json` ({name: [[token, decoded], ...] by id}). The trainers break ties by hash
order, so each run may pick other tokens; the test holds for any of them.
"""

import json
import pathlib

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

# Text with what decoding must get right: spaces, newlines and tabs, accented letters,
# a euro sign and an emoji (multi-byte UTF-8 split across byte-level tokens), CJK.
TEXT = [
    "The cat sat on the mat.\nThe dog ate the bread.\tTabs\tand spaces  here.",
    "Café au lait, crème brûlée, naïve façade — 20 € or £15.",
    "Emoji: 😀🎉 and 日本語のテキスト. Zürich, Kraków, İstanbul.",
    "playing played player plays replay\n\n  indented line",
] * 20
SPECIAL = ["<|endoftext|>", "<s>", "</s>", "<unk>", "[UNK]", "[CLS]", "[SEP]", "[PAD]"]


def byte_level_bpe():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tok.train_from_iterator(TEXT, trainer)
    tok.add_tokens(["<think>"])
    return tok


def unigram():
    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(
        vocab_size=200, special_tokens=["<unk>", "<s>", "</s>"], unk_token="<unk>"
    )
    tok.train_from_iterator(TEXT, trainer)
    return tok


def wordpiece():
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=300, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]"])
    tok.train_from_iterator(TEXT, trainer)
    return tok


def write(out: pathlib.Path):
    out.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, make in [("byte_level_bpe", byte_level_bpe), ("unigram", unigram), ("wordpiece", wordpiece)]:
        tok = make()
        tok.save(str(out / f"{name}.json"))
        size = tok.get_vocab_size(with_added_tokens=True)
        expected[name] = [[tok.id_to_token(i), tok.decode([i], skip_special_tokens=False)] for i in range(size)]
    (out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=0) + "\n")


def main():
    write(pathlib.Path(__file__).resolve().parent.parent / "tests/fixtures/tokenizers")


main()
