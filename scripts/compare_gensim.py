"""Compare embspace's analogy and word-pair evaluators with gensim's on the same vectors.

Run through scripts/compare_gensim.sh (which installs the pinned Python packages and builds
the example). For every vectors file gensim ships in gensim/test/test_data that loads as
word2vec, plus a Word2Vec model trained here on lee_background.cor (seeded, one worker):

  - gensim's evaluate_word_analogies on questions-words.txt and evaluate_word_pairs on
    wordsim353.tsv and simlex999.txt, with the defaults and with case_insensitive=False,
    dummy4unknown=True;
  - the same loop with most_similar_cosmul in place of most_similar (gensim 4.4 accepts a
    similarity_function argument but ignores it), against our 3CosMul;
  - `cargo run --release --example evaluate` on the same vectors (written as word2vec binary
    in index order).

Fails (exit 1) unless every section's correct and incorrect lists and the OOV counts are
equal and the correlations and p-values agree to 1e-6 (or both sides refuse the input).
"""

import itertools
import json
import logging
import os
import subprocess
import sys
import tempfile

import numpy as np
from gensim.models import KeyedVectors, Word2Vec
from gensim.models.word2vec import LineSentence
from gensim.test.utils import datapath

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "target", "release", "examples", "evaluate")
TOLERANCE = 1e-6
QUESTIONS = datapath("questions-words.txt")
PAIRS = [datapath("wordsim353.tsv"), datapath("simlex999.txt")]


class OovCounter(logging.Handler):
    """Counts gensim's per-question OOV debug records (gensim returns no OOV count)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        if "with OOV words" in record.msg and "Zero similarity" not in record.msg:
            self.count += 1


def gensim_vectors():
    """(name, KeyedVectors) for the test vectors gensim ships, plus a model trained on Lee."""
    files = [
        ("euclidean_vectors.bin", True),
        ("word2vec_pre_kv_c", False),
        ("lee_fasttext.vec", False),
        ("crime-and-punishment.vec", False),
        ("toy-model.vec", False),
        ("EN.1-10.cbow1_wind5_hs0_neg10_size300_smpl1e-05.txt", False),
        ("high_precision.kv.txt", False),
    ]
    for name, binary in files:
        yield name, KeyedVectors.load_word2vec_format(datapath(name), binary=binary)
    model = Word2Vec(
        LineSentence(datapath("lee_background.cor")),
        vector_size=100, window=5, min_count=1, workers=1, seed=42, epochs=40,
    )
    yield "word2vec trained on lee_background.cor", model.wv


def cosmul_analogies(kv, path, restrict_vocab=300000, case_insensitive=True, dummy4unknown=False):
    """gensim's evaluate_word_analogies loop, verbatim, with most_similar_cosmul."""
    ok_keys = kv.index_to_key[:restrict_vocab]
    ok_vocab = {(k.upper() if case_insensitive else k): kv.get_index(k) for k in reversed(ok_keys)}
    oov, sections, section = 0, [], None
    with open(path, "rb") as fin:
        for line in fin:
            line = line.decode("utf8")
            if line.startswith(": "):
                if section:
                    sections.append(section)
                section = {"section": line.lstrip(": ").strip(), "correct": [], "incorrect": []}
                continue
            try:
                a, b, c, expected = [w.upper() if case_insensitive else w for w in line.split()]
            except ValueError:
                continue
            if any(w not in ok_vocab for w in (a, b, c, expected)):
                oov += 1
                if dummy4unknown:
                    section["incorrect"].append((a, b, c, expected))
                continue
            original, kv.key_to_index = kv.key_to_index, ok_vocab
            ignore, predicted = {a, b, c}, None
            sims = kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=5, restrict_vocab=restrict_vocab)
            kv.key_to_index = original
            for element in sims:
                predicted = element[0].upper() if case_insensitive else element[0]
                if predicted in ok_vocab and predicted not in ignore:
                    break
            (section["correct"] if predicted == expected else section["incorrect"]).append((a, b, c, expected))
    if section:
        sections.append(section)
    sections.append({
        "section": "Total accuracy",
        "correct": list(itertools.chain.from_iterable(s["correct"] for s in sections)),
        "incorrect": list(itertools.chain.from_iterable(s["incorrect"] for s in sections)),
    })
    return sections, oov


def run_gensim(kv, options, cosmul):
    counter = OovCounter()
    logger = logging.getLogger("gensim.models.keyedvectors")
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        if cosmul:
            sections, oov = cosmul_analogies(kv, QUESTIONS, **options)
        else:
            _, sections = kv.evaluate_word_analogies(QUESTIONS, **options)
            oov = counter.count
        analogies = {"sections": sections, "oov": oov}
    except (ValueError, ZeroDivisionError) as e:
        analogies = {"error": str(e)}
    pairs = []
    for path in PAIRS:
        try:
            pearson, spearman, oov_ratio = kv.evaluate_word_pairs(path, **options)
            pairs.append({"pearson": list(pearson), "spearman": list(spearman), "oov_ratio": oov_ratio})
        except ValueError as e:
            pairs.append({"error": str(e)})
    logger.removeHandler(counter)
    return analogies, pairs


def run_ours(vectors_path, options, cosmul):
    command = [EXAMPLE, vectors_path, "--analogies", QUESTIONS, "--lenient"]
    for path in PAIRS:
        command += ["--pairs", path]
    if cosmul:
        command.append("--cosmul")
    if not options.get("case_insensitive", True):
        command.append("--case-sensitive")
    if options.get("dummy4unknown", False):
        command.append("--dummy4unknown")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip()}
    return json.loads(done.stdout)


def write_word2vec_binary(kv, path):
    with open(path, "wb") as out:
        out.write(f"{len(kv.index_to_key)} {kv.vector_size}\n".encode())
        for key, row in zip(kv.index_to_key, kv.vectors):
            out.write(key.encode("utf8") + b" " + np.asarray(row, dtype="<f4").tobytes() + b"\n")


def as_lists(section):
    return [list(map(list, section["correct"])), list(map(list, section["incorrect"]))]


def compare(label, theirs, ours):
    """Returns a list of disagreement messages (empty when equal)."""
    problems = []
    (g_analogies, g_pairs) = theirs
    if "error" in ours:
        return [f"{label}: ours failed: {ours['error']}"]
    o_analogies = ours["analogies"][0]
    if "error" in g_analogies or "error" in o_analogies:
        if not ("error" in g_analogies and "error" in o_analogies):
            problems.append(f"{label}: analogies refused by one side only: gensim {g_analogies.get('error')!r}"
                            f", ours {o_analogies.get('error')!r}")
    else:
        g_sections = g_analogies["sections"]
        if [s["section"] for s in g_sections] != [s["section"] for s in o_analogies["sections"]]:
            problems.append(f"{label}: section names differ")
        for g, o in zip(g_sections, o_analogies["sections"]):
            if as_lists(g) != as_lists(o):
                problems.append(
                    f"{label}: section {g['section']!r}: gensim {len(g['correct'])}/{len(g['correct']) + len(g['incorrect'])}"
                    f", ours {len(o['correct'])}/{len(o['correct']) + len(o['incorrect'])}")
        if g_analogies["oov"] != o_analogies["oov"]:
            problems.append(f"{label}: OOV gensim {g_analogies['oov']}, ours {o_analogies['oov']}")
    for path, g, o in zip(PAIRS, g_pairs, ours["pairs"] if "pairs" in ours else []):
        name = os.path.basename(path)
        # gensim raises when no pair is known and scipy gives NaN for a constant input;
        # ours refuses both with an error.
        g_refused = "error" in g or np.isnan(g["pearson"][0])
        if g_refused or "error" in o:
            if not (g_refused and "error" in o):
                problems.append(f"{label}: {name} refused by one side only: gensim {g}, ours {o}")
            continue
        for key in ("pearson", "spearman"):
            for i, what in enumerate(("statistic", "p-value")):
                g_value, o_value = g[key][i], o[key][i]
                if o_value is None:  # NaN in JSON
                    same = bool(np.isnan(g_value))
                else:
                    same = abs(g_value - o_value) <= TOLERANCE
                if not same:
                    problems.append(f"{label}: {name} {key} {what}: gensim {g[key][i]!r}, ours {o[key][i]!r}")
        if not abs(g["oov_ratio"] - o["oov_ratio"]) <= TOLERANCE:
            problems.append(f"{label}: {name} OOV ratio gensim {g['oov_ratio']}, ours {o['oov_ratio']}")
    return problems


def summary(theirs, ours):
    g_analogies, g_pairs = theirs
    parts = []
    if "error" not in g_analogies and "error" not in ours["analogies"][0]:
        total = g_analogies["sections"][-1]
        n = len(total["correct"]) + len(total["incorrect"])
        parts.append(f"analogies {len(total['correct'])}/{n} oov {g_analogies['oov']}")
        margin = ours["analogies"][0]["min_margin"]
        parts.append(f"closest call {margin:.2e}" if margin is not None else "no call")
    else:
        parts.append("analogies refused")
    for path, g in zip(PAIRS, g_pairs):
        name = os.path.basename(path).split(".")[0]
        if "error" in g or np.isnan(g["pearson"][0]):
            parts.append(f"{name} refused")
        else:
            parts.append(f"{name} r={g['pearson'][0]:.6f} rho={g['spearman'][0]:.6f} oov={g['oov_ratio']:.1f}%")
    return ", ".join(parts)


def main():
    failures = []
    variants = [
        ("3CosAdd", {}, False),
        ("3CosAdd case-sensitive dummy4unknown", {"case_insensitive": False, "dummy4unknown": True}, False),
        ("3CosMul", {}, True),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, kv in gensim_vectors():
            path = os.path.join(tmp, "vectors.bin")
            write_word2vec_binary(kv, path)
            for variant, options, cosmul in variants:
                label = f"{name} ({kv.vectors.shape[0]}x{kv.vectors.shape[1]}), {variant}"
                theirs = run_gensim(kv, options, cosmul)
                ours = run_ours(path, options, cosmul)
                problems = compare(label, theirs, ours)
                print(("FAIL " if problems else "ok   ") + label + ": " + summary(theirs, ours))
                for p in problems:
                    print("     " + p)
                failures += problems
    print(f"{len(failures)} disagreement(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
