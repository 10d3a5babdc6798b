#!/usr/bin/env bash
# Writes the GGUF fixtures (tests/fixtures/gguf/) and the GGUF fuzz seeds (fuzz/corpus/gguf/)
# with llama.cpp's gguf-py, which also dequantises the reference values the tests compare
# with bit for bit (see scripts/make_gguf_fixtures.py).
#
#   scripts/make_gguf_fixtures.sh           # write the fixtures
#   scripts/make_gguf_fixtures.sh --check   # rebuild them in a temp dir, compare byte for byte
#
# Installs the pinned gguf and numpy from PyPI into target/pyenv-gguf (a virtualenv, so the
# system Python is left alone) when missing. --check exits 1 on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/pinned_venv.sh
venv=target/pyenv-gguf
pinned_venv "$venv" gguf==0.19.0 numpy==2.4.6
"$venv/bin/python" scripts/make_gguf_fixtures.py "$@"
