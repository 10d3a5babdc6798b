#!/usr/bin/env bash
# Writes the fastText .bin fixtures (tests/fixtures/fasttext/) and the fastText fuzz seeds
# (fuzz/corpus/fasttext/) with gensim, which also reads back the reference vectors the tests
# compare with bit for bit (see scripts/make_fasttext_fixtures.py).
#
#   scripts/make_fasttext_fixtures.sh           # write the fixtures
#   scripts/make_fasttext_fixtures.sh --check   # rebuild them in a temp dir, compare byte for byte
#
# Uses the virtualenv scripts/compare_gensim.sh installs (target/pyenv: gensim 4.4.0, numpy,
# scipy), installing it when missing. --check exits 1 on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/pinned_venv.sh
venv=target/pyenv
pinned_venv "$venv" gensim==4.4.0 scipy==1.17.1 numpy==2.4.6
"$venv/bin/python" scripts/make_fasttext_fixtures.py "$@"
