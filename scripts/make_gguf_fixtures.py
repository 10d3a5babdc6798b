#!/usr/bin/env python3
"""Write the GGUF fixtures of `embspace analyze` with llama.cpp's own Python package, gguf-py,
and let gguf-py be the judge of every value.

    scripts/make_gguf_fixtures.sh            # write tests/fixtures/gguf/ and fuzz/corpus/gguf/
    scripts/make_gguf_fixtures.sh --check    # write them into a temp dir, compare byte for byte

(run through the .sh, which installs the pinned gguf and numpy into target/pyenv-gguf).

One small model file per ggml type embspace reads, each with `token_embd.weight`, a tokenizer
(`tokenizer.ggml.tokens` and `tokenizer.ggml.token_type`, every token type present) and a 1-D
`output_norm.weight`; all but q6_k.gguf also hold `output.weight` (q6_k.gguf is a tied model):

    f32.gguf  f16.gguf  bf16.gguf    32 tokens x 64, plain floats; f32.gguf also has a metadata
                                     value of every GGUF type, arrays of them and nested arrays
    q8_0.gguf q4_0.gguf q5_0.gguf    32 tokens x 64, quantised by gguf.quants.quantize;
                                     q8_0.gguf is GGUF version 2, q5_0.gguf has general.alignment 64
    q4_k.gguf                        16 tokens x 512 (two 256-value blocks a row), token_embd Q4_K
                                     and output Q6_K, as llama.cpp's Q4_K_M files have them
    q6_k.gguf                        16 tokens x 512, Q6_K, no output.weight
    q4_1.gguf q5_1.gguf              32 tokens x 64, quantised by gguf.quants.quantize
    q2_k.gguf q3_k.gguf q5_k.gguf    16 tokens x 512, token_embd Q2_K, Q3_K, Q5_K (as the Q2_K,
                                     Q3_K_M and Q5_K_M files store it) and output Q6_K
    iq4_nl.gguf                      32 tokens x 64, IQ4_NL
    iq4_xs.gguf                      16 tokens x 512, token_embd IQ4_XS and output Q6_K

gguf-py cannot quantise K-quants and i-quants, only dequantise them, so their blocks are written
as raw bytes: random finite f16 scales (normal, subnormal, negative, up to 65504), random packed
6-bit scales and mins, random nibbles and bit pairs, so every branch of the unpacking is exercised.

Then every file is read back with gguf.GGUFReader, and its tensors dequantised with
gguf.quants.dequantize: `<file stem>.<tensor>.npy` holds the f32 values embspace must produce bit
for bit (token_embd.weight of every file, and output.weight of q4_k.gguf), and expected.json the
tokens, token types, tensors and versions as the reader saw them. tests/testsuite/gguf.rs compares.
Seeded (42): a re-run rewrites the same bytes.
"""

import filecmp
import json
import shutil
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

import gguf
import gguf.gguf_writer
import numpy as np
from gguf import GGMLQuantizationType as Q

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "gguf"
CORPUS = ROOT / "fuzz" / "corpus" / "gguf"
SEEDS = ["q4_0.gguf", "q6_k.gguf", "q3_k.gguf"]  # the fuzz target's seed corpus
RANDOM_BLOCKS = (Q.Q2_K, Q.Q3_K, Q.Q4_K, Q.Q5_K, Q.Q6_K, Q.IQ4_NL, Q.IQ4_XS)  # gguf-py cannot quantise

NORMAL, UNKNOWN, CONTROL, USER, UNUSED, BYTE = 1, 2, 3, 4, 5, 6
SPECIAL = [("<unk>", UNKNOWN), ("<s>", CONTROL), ("</s>", CONTROL), ("<|user|>", USER),
           ("[unused0]", UNUSED), ("<0x0A>", BYTE), ("<0xFF>", BYTE)]
WORDS = ["▁the", "▁of", "▁and", ",", "▁café", "東京", "▁naïve", "🙂", "<script>", "a b", "ß", "▁to",
         "▁in", "ing", "▁a", "ed", "▁is", "▁that", "▁for", "▁it", "▁as", "▁was", "▁with", "▁be", "▁by"]


def vocabulary(n):
    tokens = SPECIAL + [(w, NORMAL) for w in WORDS]
    assert len(tokens) >= n
    return [t for t, _ in tokens[:n]], [k for _, k in tokens[:n]]


def finite_halves(rng, n):
    """n random f16 bit patterns that are finite numbers (any sign, subnormals included)."""
    bits = rng.integers(0, 1 << 16, size=4 * n, dtype=np.uint16)
    bits = bits[(bits & 0x7C00) != 0x7C00][:n]
    assert len(bits) == n
    return bits.astype("<u2").view(np.uint8).reshape(n, 2)


def random_blocks(rng, qtype, rows, dim):
    """Random but valid K-quant or i-quant blocks, as the bytes gguf-py would read."""
    blocks = rows * dim // gguf.GGML_QUANT_SIZES[qtype][0]
    raw = lambda n: rng.integers(0, 256, size=(blocks, n), dtype=np.uint8)  # noqa: E731
    if qtype == Q.Q4_K:  # d, dmin, 12 bytes of scales/mins, 128 of nibbles
        parts = [finite_halves(rng, blocks), finite_halves(rng, blocks), raw(12), raw(128)]
    elif qtype == Q.Q6_K:  # 128 bytes of low nibbles, 64 of high bit pairs, 16 int8 scales, d
        parts = [raw(128), raw(64), raw(16), finite_halves(rng, blocks)]
    elif qtype == Q.Q2_K:  # 16 bytes of 4-bit scales/mins, 64 of bit pairs, d, dmin
        parts = [raw(16), raw(64), finite_halves(rng, blocks), finite_halves(rng, blocks)]
    elif qtype == Q.Q3_K:  # 32 bytes of high bits, 64 of bit pairs, 12 of 6-bit scales, d
        parts = [raw(32), raw(64), raw(12), finite_halves(rng, blocks)]
    elif qtype == Q.Q5_K:  # d, dmin, 12 bytes of scales/mins, 32 of fifth bits, 128 of nibbles
        parts = [finite_halves(rng, blocks), finite_halves(rng, blocks), raw(12), raw(32), raw(128)]
    elif qtype == Q.IQ4_NL:  # d, 16 bytes of level nibbles
        parts = [finite_halves(rng, blocks), raw(16)]
    else:  # IQ4_XS: d, the scales' top bit pairs (u16), their low nibbles (4 bytes), 128 of levels
        parts = [finite_halves(rng, blocks), raw(2), raw(4), raw(128)]
    data = np.concatenate(parts, axis=1)
    assert data.shape[1] == gguf.GGML_QUANT_SIZES[qtype][1]
    return data.reshape(rows, -1)


def tensor_bytes(rng, qtype, rows, dim):
    """A rows x dim tensor of type qtype: random normal values quantised by gguf-py, or random
    K-quant blocks."""
    if qtype in RANDOM_BLOCKS:
        return random_blocks(rng, qtype, rows, dim)
    values = rng.normal(0.0, 0.5, size=(rows, dim)).astype(np.float32)
    if qtype == Q.F32:
        return values
    if qtype == Q.F16:
        return values.astype(np.float16)
    return gguf.quants.quantize(values, qtype)


def every_value_type(w):
    """One metadata value of every GGUF type, arrays of them and arrays of arrays."""
    w.add_uint8("test.uint8", 255)
    w.add_int8("test.int8", -128)
    w.add_uint16("test.uint16", 65535)
    w.add_int16("test.int16", -32768)
    w.add_uint32("test.uint32", 4294967295)
    w.add_int32("test.int32", -2147483648)
    w.add_float32("test.float32", 0.1)
    w.add_bool("test.bool", True)
    w.add_string("test.string", "héllo\n")
    w.add_uint64("test.uint64", 2**64 - 1)
    w.add_int64("test.int64", -(2**63))
    w.add_float64("test.float64", -0.1)
    for vtype in gguf.GGUFValueType:
        if vtype not in (gguf.GGUFValueType.STRING, gguf.GGUFValueType.ARRAY):
            values = [True, False] if vtype == gguf.GGUFValueType.BOOL else [1, 2, 3]
            w.add_key_value(f"test.array.{vtype.name.lower()}", values, gguf.GGUFValueType.ARRAY, vtype)
    w.add_array("test.array.string", ["", "two words", "東京"])
    w.add_array("test.nested", [[1, 2], [3], [4, 5, 6]])
    w.add_array("test.nested.strings", [["a"], ["b", "c"]])


def write_model(path, qtype, rows, dim, *, output=None, version=3, alignment=None, zoo=False,
                rng=None):
    tokens, types = vocabulary(rows)
    w = gguf.GGUFWriter(path, "llama")
    if alignment is not None:
        w.add_custom_alignment(alignment)
    w.add_name(path.stem)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_types(types)
    if zoo:
        every_value_type(w)
    tensors = [("token_embd.weight", qtype)]
    if output is not None:
        tensors.append(("output.weight", output))
    for name, t in tensors:
        data = tensor_bytes(rng, t, rows, dim)
        raw = t if data.dtype == np.uint8 else None
        w.add_tensor(name, data, raw_dtype=raw)
    w.add_tensor("output_norm.weight", np.ones(dim, dtype=np.float32))
    # gguf-py writes version 3 only; version 2 has the same little-endian layout (3 added
    # big-endian files), so a version-2 file is gguf-py's bytes with the version field set to 2.
    gguf.gguf_writer.GGUF_VERSION = version
    try:
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
    finally:
        gguf.gguf_writer.GGUF_VERSION = 3
    w.close()


def judge(path, out, reference_tensors):
    """What gguf-py's reader sees in the file; saves the dequantised reference tensors."""
    reader = gguf.GGUFReader(path)
    fields = reader.fields

    def strings(key):
        field = fields[key]
        return [bytes(field.parts[i]).decode("utf-8") for i in field.data]

    def scalar(key):
        field = fields.get(key)
        return None if field is None else field.parts[field.data[0]].tolist()[0]

    tensors = {}
    for t in reader.tensors:
        shape = [int(d) for d in reversed(t.shape.tolist())]  # slowest first
        tensors[t.name] = {"type": t.tensor_type.name, "shape": shape}
        if t.name in reference_tensors:
            values = gguf.quants.dequantize(t.data, t.tensor_type).astype("<f4", copy=False)
            assert values.shape == tuple(shape), (t.name, values.shape, shape)
            np.save(out / f"{path.stem}.{t.name}.npy", values)
    return {
        "version": int(reader.fields["GGUF.version"].parts[-1][0]),
        "alignment": scalar("general.alignment") or 32,
        "tokens": strings("tokenizer.ggml.tokens"),
        "token_types": [int(fields["tokenizer.ggml.token_type"].parts[i][0])
                        for i in fields["tokenizer.ggml.token_type"].data],
        "tensors": tensors,
    }


def write_all(out):
    rng = np.random.default_rng(42)
    models = [
        ("f32", Q.F32, 32, 64, dict(output=Q.F32, zoo=True)),
        ("f16", Q.F16, 32, 64, dict(output=Q.F16)),
        ("bf16", Q.BF16, 32, 64, dict(output=Q.BF16)),
        ("q8_0", Q.Q8_0, 32, 64, dict(output=Q.Q8_0, version=2)),
        ("q4_0", Q.Q4_0, 32, 64, dict(output=Q.Q4_0)),
        ("q5_0", Q.Q5_0, 32, 64, dict(output=Q.Q5_0, alignment=64)),
        ("q4_k", Q.Q4_K, 16, 512, dict(output=Q.Q6_K)),
        ("q6_k", Q.Q6_K, 16, 512, dict()),
        # Added after the first eight, so that theirs are still the seeded generator's first bytes.
        ("q4_1", Q.Q4_1, 32, 64, dict(output=Q.Q4_1)),
        ("q5_1", Q.Q5_1, 32, 64, dict(output=Q.Q5_1)),
        ("q2_k", Q.Q2_K, 16, 512, dict(output=Q.Q6_K)),
        ("q3_k", Q.Q3_K, 16, 512, dict(output=Q.Q6_K)),
        ("q5_k", Q.Q5_K, 16, 512, dict(output=Q.Q6_K)),
        ("iq4_nl", Q.IQ4_NL, 32, 64, dict(output=Q.IQ4_NL)),
        ("iq4_xs", Q.IQ4_XS, 16, 512, dict(output=Q.Q6_K)),
    ]
    expected = {}
    for stem, qtype, rows, dim, options in models:
        path = out / f"{stem}.gguf"
        write_model(path, qtype, rows, dim, rng=rng, **options)
        references = ["token_embd.weight"] + (["output.weight"] if stem == "q4_k" else [])
        expected[path.name] = judge(path, out, references)
    (out / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")


def main():
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] not in ([], ["--check"]):
        sys.exit(__doc__)
    if not check:
        FIXTURES.mkdir(parents=True, exist_ok=True)
        write_all(FIXTURES)
        CORPUS.mkdir(parents=True, exist_ok=True)
        for seed in SEEDS:
            shutil.copyfile(FIXTURES / seed, CORPUS / seed)
        size = sum(p.stat().st_size for p in FIXTURES.iterdir())
        print(f"wrote {FIXTURES.relative_to(ROOT)} ({size} bytes) and {CORPUS.relative_to(ROOT)}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_all(tmp)
        made = sorted(p.name for p in tmp.iterdir())
        committed = sorted(p.name for p in FIXTURES.iterdir() if p.name != "README.md")
        bad = sorted(set(made) ^ set(committed))
        bad += [n for n in made if n in committed and not filecmp.cmp(tmp / n, FIXTURES / n, shallow=False)]
        bad += [f"fuzz/corpus/gguf/{s}" for s in SEEDS
                if not (CORPUS / s).is_file() or not filecmp.cmp(tmp / s, CORPUS / s, shallow=False)]
    if bad:
        sys.exit(f"GGUF fixtures differ from what gguf-py writes: {', '.join(bad)}")
    print(f"GGUF fixtures: {len(made)} files identical to what gguf {version('gguf')} writes")


if __name__ == "__main__":
    main()
