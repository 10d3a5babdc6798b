#!/usr/bin/env bash
# Times the whole `embspace report` run (release binary) side by side with the
# seed notebook it replaces, in one go on one machine, and prints the ratios.
#
#   scripts/bench_report.sh PATH/TO/theory.ipynb [RUNS]
#
# The notebook's directory must also hold theory.py (the same code as a script).
# Installs numpy, matplotlib and nbconvert from PyPI when they are missing.
# RUNS rounds (default 5), each running every side once; the median wall time
# of each side is reported.
set -euo pipefail

notebook=${1:?usage: scripts/bench_report.sh PATH/TO/theory.ipynb [RUNS]}
runs=${2:-5}
script="$(dirname "$notebook")/theory.py"
root="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$notebook" ] || { echo "no notebook at $notebook" >&2; exit 2; }
[ -f "$script" ] || { echo "no theory.py beside $notebook" >&2; exit 2; }

python3 -c "import numpy, matplotlib, nbconvert, ipykernel" 2>/dev/null ||
  python3 -m pip install --quiet numpy matplotlib nbconvert nbclient ipykernel

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
binary="$root/target/release/embspace"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# seconds COMMAND...: the wall time of one run of COMMAND, in seconds.
# Bash's own clock (EPOCHREALTIME): no `date` process around the command,
# whose start-up would count against a run of a tenth of a second.
seconds() {
  local start end
  start=$EPOCHREALTIME
  "$@" >/dev/null 2>&1
  end=$EPOCHREALTIME
  python3 -c "print($end - $start)"
}

# median: the median of the numbers on stdin.
median() {
  sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
}

# The three sides take turns within each round, so a slow spell of this
# (noisy, shared) machine falls on all of them rather than on one.
ours_times=() nbconvert_times=() python_times=()
for _ in $(seq "$runs"); do
  ours_times+=("$(seconds "$binary" report --quiet --out "$work/report")")
  nbconvert_times+=("$(seconds jupyter nbconvert --to html --execute "$notebook" --output-dir "$work/nb")")
  python_times+=("$(MPLBACKEND=Agg seconds python3 "$script")")
done
ours=$(printf '%s\n' "${ours_times[@]}" | median)
nbconvert=$(printf '%s\n' "${nbconvert_times[@]}" | median)
python=$(printf '%s\n' "${python_times[@]}" | median)

printf 'median of %s rounds, wall time\n' "$runs"
printf '  embspace report (release)        %8.3f s\n' "$ours"
printf '  jupyter nbconvert --execute      %8.3f s   ratio %6.1fx (target >= 40x)\n' "$nbconvert" "$(python3 -c "print($nbconvert / $ours)")"
printf '  python3 theory.py                %8.3f s   ratio %6.1fx (target >= 10x)\n' "$python" "$(python3 -c "print($python / $ours)")"
