"""Compare embspace's fastText .bin reader with gensim's load_facebook_vectors on the models gensim
ships for its tests.

Run through scripts/compare_gensim.sh (which installs the pinned Python packages and builds the
`embspace` binary and the `table_vectors` example in release mode). The models are the .bin files
gensim's own fastText tests load (every `datapath('….bin')` in gensim/test/test_fasttext.py). For
each model gensim reads:

  - the words, in order, equal gensim's `index_to_key`;
  - every word's vector equals gensim's `wv[word]` bit for bit, and so do the vectors of words not
    in the table: embspace adds the same f32 rows in the same order (the word's own row, then its
    character n-grams' bucket rows in the order gensim lists them) and divides by the same count,
    so there is no rounding to allow for;
  - the neighbours `embspace analyze --query` lists for words in the table and words not in it
    equal gensim's `most_similar(word, topn=10)`: the same tokens, in order, and scores within
    1e-5. Both score in f32 with rows normalised in f32 but sum the products in different orders;
    a cosine near 1 has an f32 spacing of 6e-8, and 1e-5 leaves ample room for ten-dimensional
    rounding while still failing on any real difference.

gensim refuses supervised models ("not supported"); embspace must refuse them too, with exit 2
and a line naming them. A model whose words are not UTF-8 (cp852_fasttext.bin): embspace refuses
it, naming the first bad byte, unless --lossy (U+FFFD, where gensim writes backslash escapes);
fastText and embspace then hash the file's bytes into n-grams where gensim hashes its escaped text,
so those words' vectors are checked against gensim's own matrices composed over the bytes'
n-grams (fastText's computeSubwords, written out below), and the neighbours against gensim's
most_similar over those vectors. Every other .bin in the test data (word2vec binaries, a pickle)
must not be taken for a fastText model.

Prints one line per file and a summary table; exit status 1 on any disagreement.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

import gensim.test
import numpy as np
from gensim.models import KeyedVectors, _fasttext_bin
from gensim.models.fasttext import load_facebook_vectors
from gensim.models.fasttext_inner import ft_hash_bytes
from gensim.test.utils import datapath

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMBSPACE = os.path.join(ROOT, "target", "release", "embspace")
TABLE_VECTORS = os.path.join(ROOT, "target", "release", "examples", "table_vectors")
SCORE_TOLERANCE = 1e-5
TOP = 10
# Words to ask for that are in none of the models' tables (each model gets those it lacks).
UNKNOWN = ["landlord", "unbelievably", "пароходы", "příliš", "zzqx", "x"]


def fasttext_models():
    """The .bin files gensim's fastText tests load, in the order its test file names them."""
    tests = os.path.join(os.path.dirname(gensim.test.__file__), "test_fasttext.py")
    names = re.findall(r"datapath\(['\"]([^'\"]+\.bin)['\"]\)", open(tests, encoding="utf-8").read())
    return list(dict.fromkeys(names))


def run(command):
    done = subprocess.run(command, capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr.strip()


def ours_vectors(path, unknown, lossy=False):
    command = [TABLE_VECTORS, path] + (["--unknown", *unknown] if unknown else []) + (["--lossy"] if lossy else [])
    code, out, err = run(command)
    return json.loads(out) if code == 0 else {"error": err}


def ours_neighbours(path, queries, lossy=False):
    """embspace analyze's neighbour lists, by query, or the refusal (exit code, stderr)."""
    with tempfile.TemporaryDirectory() as out:
        command = [EMBSPACE, "analyze", path, "--format", "fasttext-binary", "--quiet", "--map", "0",
                   "--top", str(TOP), "--report-format", "json", "--out", out, "--query", *queries]
        code, _, err = run(command + (["--lossy"] if lossy else []))
        if code != 0:
            return code, err
        with open(os.path.join(out, "analysis.json"), encoding="utf-8") as f:
            analysis = json.load(f)
    return 0, {r["query"]: r for r in analysis["results"]["neighbours"]}


def fasttext_ngrams(word_bytes, minn, maxn):
    """fastText's Dictionary::computeSubwords on `<word>`'s bytes: the n-grams fastText hashes."""
    b = b"<" + word_bytes + b">"
    grams = []
    for i in range(len(b)):
        if b[i] & 0xC0 == 0x80:
            continue
        j, n = i, 1
        while j < len(b) and n <= maxn:
            j += 1
            while j < len(b) and b[j] & 0xC0 == 0x80:
                j += 1
            if n >= minn and not (n == 1 and (i == 0 or j == len(b))):
                grams.append(b[i:j])
            n += 1
    return grams


def bytes_composed(kv, index, word_bytes):
    """gensim's adjust_vectors for one word, over the n-grams of its bytes rather than its text."""
    vector = kv.vectors_vocab[index].copy()
    grams = fasttext_ngrams(word_bytes, kv.min_n, kv.max_n)
    for gram in grams:
        vector += kv.vectors_ngrams[ft_hash_bytes(gram) % kv.bucket]
    vector /= len(grams) + 1
    return vector


def raw_words(path):
    """The dictionary's words as the file's bytes (latin-1 maps each byte to one character)."""
    with open(path, "rb") as fin:
        model = _fasttext_bin.load(fin, encoding="latin-1", full_model=False)
    return [word.encode("latin-1") for word in model.raw_vocab]


def compare_vectors(name, reference, kv, ours, unknown):
    """Our words and vectors against `reference`'s, our unknown words' vectors against `kv[word]`."""
    problems = []
    if ours["format"] != "fasttext-binary":
        return [f"{name}: detected as {ours['format']}"]
    tokens = reference.index_to_key
    if ours["tokens"] != tokens:
        first = next((i for i, (a, b) in enumerate(zip(ours["tokens"], tokens)) if a != b), None)
        problems.append(f"{name}: words differ ({len(ours['tokens'])} against {len(tokens)}, first at {first})")
        return problems
    theirs = reference.vectors
    vectors = np.array(ours["vectors"], dtype=np.float32).reshape(theirs.shape)
    differ = np.flatnonzero(np.any(vectors.view(np.uint32) != theirs.view(np.uint32), axis=1))
    if len(differ):
        i = differ[0]
        problems.append(f"{name}: {len(differ)} word vectors differ, first {tokens[i]!r}: "
                        f"max |difference| {np.max(np.abs(vectors[i] - theirs[i])):.3g}")
    for word in unknown:
        theirs = kv[word]
        mine = ours["unknown"][word]
        if mine is None:
            problems.append(f"{name}: no vector for {word!r}, gensim's has norm {np.linalg.norm(theirs):.3g}")
        elif np.any(np.array(mine["vector"], dtype=np.float32).view(np.uint32) != theirs.view(np.uint32)):
            problems.append(f"{name}: the vector of {word!r} differs from gensim's")
    return problems


def compare_neighbours(name, gensim, neighbours, queries):
    """Ours against gensim's most_similar. `gensim(word)` gives gensim's full ranking of the table for
    `word`, best first, as (token, score) pairs. Equal scores may come in either order (an f32
    rounding apart, ties fall either way), so the lists must agree rank by rank in score, and each
    token we list must have that score in gensim's ranking; without ties that is the same tokens in
    the same order."""
    problems, swapped = [], 0
    for word in queries:
        theirs = [(t, s) for t, s in gensim(word) if not np.isnan(s)]  # a zero row's cosine is NaN
        mine = neighbours[word]
        mine = [(n["token"], n["score"]) for n in mine["neighbours"] or []]
        if len(mine) != min(TOP, len(theirs)):
            problems.append(f"{name}: {len(mine)} neighbours of {word!r}, gensim {len(theirs[:TOP])}")
            continue
        scores = dict(theirs)
        for rank, ((token, score), (their_token, their_score)) in enumerate(zip(mine, theirs), start=1):
            if abs(score - their_score) > SCORE_TOLERANCE or abs(scores.get(token, np.inf) - score) > SCORE_TOLERANCE:
                problems.append(f"{name}: neighbour {rank} of {word!r}: ours {token!r} {score:.7f}, "
                                f"gensim {their_token!r} {their_score:.7f}")
                break
            swapped += token != their_token
    return problems, swapped


def compare_model(name):
    """(row of the summary table, problems) for one model gensim's tests load."""
    path = datapath(name)
    try:
        kv = load_facebook_vectors(path)
    except NotImplementedError as e:
        code, err = ours_neighbours(path, ["the"])
        refused = code == 2 and "supervised model" in err
        row = [name, "refused", "refused", "-", "-", "both refuse: " + str(e)]
        return row, [] if refused else [f"{name}: gensim refuses ({e}); ours: exit {code} {err!r}"]
    raw = raw_words(path)
    utf8 = [w.decode("utf-8", "strict") if is_utf8(w) else None for w in raw]
    lossy = any(w is None for w in utf8)
    problems = []
    reference = kv
    note = ""
    if lossy:
        # gensim escapes the bad bytes; embspace refuses them, or replaces them under --lossy, hashing
        # the file's bytes into n-grams, and keeps the first of the words that then read the same.
        refusal = ours_vectors(path, [])
        if "expected a UTF-8 token" not in refusal.get("error", ""):
            problems.append(f"{name}: words that are not UTF-8 were not refused: {refusal}")
        vectors = kv.vectors.copy()
        for i, (word, text) in enumerate(zip(raw, utf8)):
            if text is None:
                vectors[i] = bytes_composed(kv, i, word)
        tokens = [w.decode("utf-8", "replace") for w in raw]
        first = [i for i, t in enumerate(tokens) if tokens.index(t) == i]
        reference = KeyedVectors(kv.vector_size)
        reference.add_vectors([tokens[i] for i in first], vectors[first])
        bad = sum(w is None for w in utf8)
        note = f"{bad} words not UTF-8 (--lossy: {len(tokens) - len(first)} then repeat one)"
    plain = [t for t in reference.index_to_key if "\ufffd" not in t]
    known = plain[:3] + [plain[len(plain) // 2]]
    unknown = [w for w in UNKNOWN if w not in kv.key_to_index]
    ours = ours_vectors(path, unknown, lossy)
    if "error" in ours:
        return [name, "?", "?", "-", "-", ours["error"]], [f"{name}: ours failed: {ours['error']}"]
    problems += compare_vectors(name, reference, kv, ours, unknown)

    def ranking(word):
        with np.errstate(invalid="ignore"):  # a zero row's cosine is 0/0
            if reference is kv:
                return kv.most_similar(word, topn=len(kv))
            query = word if word in reference.key_to_index else kv[word]
            return reference.most_similar(positive=[query], topn=len(reference))

    code, neighbours = ours_neighbours(path, known + unknown, lossy)
    swapped = 0
    if code != 0:
        problems.append(f"{name}: analyze failed: {neighbours}")
    else:
        found, swapped = compare_neighbours(name, ranking, neighbours, known + unknown)
        problems += found
        for word in known + unknown:
            composed = word not in reference.key_to_index
            if composed != (neighbours[word]["ngrams"] is not None):
                problems.append(f"{name}: {word!r} composed from n-grams: gensim {composed}, "
                                f"ours {neighbours[word]['ngrams']}")
    if swapped:
        note = ", ".join(filter(None, [note, f"{swapped} tied neighbours in the other order"]))
    row = [name, f"{len(reference)} x {kv.vector_size}", f"{kv.bucket} ({kv.min_n}-{kv.max_n})",
           f"{len(known)} + {len(unknown)}", "DIFFER" if problems else "equal", note]
    return row, problems


def is_utf8(word):
    try:
        word.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def other_bins(models):
    """Every other .bin in the test data: none may be read as fastText."""
    problems, rows = [], []
    folder = os.path.dirname(datapath("x"))
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".bin") or name in models:
            continue
        ours = ours_vectors(os.path.join(folder, name), [])
        detected = ours.get("format", "refused")
        rows.append([name, "-", "-", "-", "-", f"not fastText: {detected}"])
        if ours.get("format") == "fasttext-binary" or "fastText" in ours.get("error", ""):
            problems.append(f"{name}: taken for a fastText model: {detected}")
    return rows, problems


def main():
    models = fasttext_models()
    rows, failures = [], []
    for name in models:
        row, problems = compare_model(name)
        rows.append(row)
        print(("FAIL " if problems else "ok   ") + name)
        for p in problems:
            print("     " + p)
        failures += problems
    others, problems = other_bins(models)
    rows += others
    failures += problems
    header = ["file", "words x dim", "buckets (n)", "queries in + out", "vectors, neighbours", "note"]
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    print(f"{len(models)} fastText models, {len(others)} other .bin files: {len(failures)} disagreement(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
