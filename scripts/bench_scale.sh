#!/usr/bin/env bash
# `embspace analyze` and `compare` at LLM scale (a Qwen2-7B-sized BF16 embedding, a 2M x 300 .npy,
# a cc.en.300.bin-sized fastText model) against numpy or gensim doing the same statistics and
# queries: wall time, CPU time and peak RSS side by side (see scripts/bench_scale.py for what is
# measured and how).
#
#   scripts/bench_scale.sh [--only PART] [--quick]   (PART: qwen, tall, gguf, compare, untied, fasttext,
#       googlenews, wikinews, and the last three gzipped: fasttext-gz, googlenews-gz, wikinews-gz)
#
# Installs numpy and gensim into target/pyenv (a virtualenv; neither is a dependency of embspace)
# when missing, builds the release binary, writes the tables into target/scale/ once (about 15 GB
# of disk), then runs scripts/bench_scale.py. Takes a quarter of an hour, most of it the references.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/pinned_venv.sh
venv=target/pyenv
pinned_venv "$venv" gensim==4.4.0 scipy==1.17.1 numpy==2.4.6 gguf==0.19.0
cargo build --release --quiet --locked --bin embspace
# This machine sets OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for old OpenBLAS builds; they slow the
# current numpy, so its side runs without them.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" scripts/bench_scale.py "$@"
