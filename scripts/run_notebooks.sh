#!/usr/bin/env bash
# Executes every generated notebook with the real evcxr Jupyter kernel, headless, and checks that
# each shows the same checks, transcript and number of figures as the report.
#
#   scripts/run_notebooks.sh [--measure-cold]
#
# Installs what is missing first: evcxr_jupyter (cargo install --locked, ~20 min on two cores,
# skipped when already on PATH), the Python pieces from PyPI, the `rust` kernelspec. Then:
#   1. the committed notebooks must equal what `embspace notebooks` writes now;
#   2. `embspace report --report-format json` gives the reference records;
#   3. scripts/run_notebooks.py runs each notebook in a fresh kernel and compares.
# Executed notebooks go to target/notebooks/ (never over notebooks/). Timings are printed at the
# end. --measure-cold also times the first notebook with an empty evcxr cache.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

if ! command -v evcxr_jupyter >/dev/null; then
  echo "installing evcxr_jupyter (once per machine; about 20 minutes on two cores)" >&2
  cargo install evcxr_jupyter --locked
fi
if ! python3 -c "import jupyter_client, nbclient, nbformat, nbconvert, ipykernel" 2>/dev/null; then
  python3 -m pip install --quiet jupyter_client nbclient nbformat nbconvert ipykernel
fi
if ! jupyter kernelspec list 2>/dev/null | grep -qE '^\s+rust\s'; then
  evcxr_jupyter --install
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --locked --quiet
binary="$root/target/release/embspace"

"$binary" notebooks --quiet --out "$work/notebooks"
if ! diff -r --exclude='.ipynb_checkpoints' "$work/notebooks" notebooks >/dev/null; then
  diff -rq --exclude='.ipynb_checkpoints' "$work/notebooks" notebooks >&2 || true
  echo "the committed notebooks are stale: run \`cargo run -- notebooks\` and commit the result" >&2
  exit 1
fi

# Exit status 1 means a check failed; the records are still written and the notebooks must agree.
status=0
"$binary" report --quiet --report-format json --out "$work/report" || status=$?
if [ "$status" -gt 1 ]; then
  echo "the report could not be written (exit $status)" >&2
  exit "$status"
fi

python3 scripts/run_notebooks.py --notebooks notebooks --report "$work/report/report.json" \
  --out target/notebooks "$@"
