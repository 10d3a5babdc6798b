#!/usr/bin/env bash
# Which clustering colours the map: ours against k-means, Louvain and HDBSCAN on the map's rows
# (see scripts/bench_clusters.py for the candidates and measures).
#
#   scripts/bench_clusters.sh
#
# Installs scripts/map_pyenv.sh's pinned packages into target/pyenv-map when missing and builds the
# release binary. Takes 2 to 4 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/map_pyenv.sh
cargo build --release --quiet --locked --bin embspace
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" scripts/bench_clusters.py "$@"
