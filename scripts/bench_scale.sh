#!/usr/bin/env bash
# `embspace analyze` at LLM scale (a Qwen2-7B-sized BF16 embedding, a 2M x 300 .npy) against numpy
# doing the same statistics and queries: wall time, CPU time and peak RSS side by side
# (see scripts/bench_scale.py for what is measured and how).
#
#   scripts/bench_scale.sh [--only qwen|tall] [--quick]
#
# Installs numpy into target/pyenv (a virtualenv; numpy is never a dependency of embspace) when
# missing, builds the release binary, writes the tables into target/scale/ once (about 4 GB of
# disk), then runs scripts/bench_scale.py. Takes a few minutes, most of it numpy's side.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/pinned_venv.sh
venv=target/pyenv
pinned_venv "$venv" numpy==2.4.6
cargo build --release --quiet --locked --bin embspace
# This machine sets OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for old OpenBLAS builds; they slow the
# current numpy, so its side runs without them.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" scripts/bench_scale.py "$@"
