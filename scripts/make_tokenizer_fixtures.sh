#!/usr/bin/env bash
# Writes the tokenizer fixtures (tests/fixtures/tokenizers/) with Hugging Face's `tokenizers`:
# three small tokenizers trained on one text (byte-level BPE as GPT-2 builds it, a SentencePiece-style
# Unigram, WordPiece as BERT builds it) and, for every id, what the reference
# decoder makes of that one token (`decode([id], skip_special_tokens=False)`). The test
# `model_dir::shown_tokens_agree_with_the_tokenizers_library` compares embspace's shown tokens
# with it (see scripts/make_tokenizer_fixtures.py for the rules).
#
#   scripts/make_tokenizer_fixtures.sh           # write the fixtures
#
# The trainers order tokens of equal count by hash, so a rebuild gives other (equally valid)
# vocabularies: the committed fixtures are one run's, and the test, not a byte comparison, is the
# check.
#
# Installs the pinned tokenizers from PyPI into target/pyenv (a virtualenv, so the system Python
# is left alone) when missing. A reference only: nothing here is a runtime dependency.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/pinned_venv.sh
venv=target/pyenv
pinned_venv "$venv" tokenizers==0.22.1
"$venv/bin/python" scripts/make_tokenizer_fixtures.py "$@"
