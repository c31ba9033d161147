#!/usr/bin/env bash
# The prepared GPU run (benchmarks/gpu.py), for a machine with Python 3.12,
# JAX and Pillow but no Keras, no TensorFlow and no network.
#
#   benchmarks/gpu.sh --prepare   # here, with network: Keras and the wheels
#                                 # it needs, and the CIFAR-10 and CIFAR-10N
#                                 # files, into .gpu/ (git-ignored, ~30 MB)
#   benchmarks/gpu.sh [FLAGS]     # there: installs the wheels its Python
#                                 # lacks, runs gpu.py with FLAGS (--smoke,
#                                 # --epochs N...) on JAX; results in
#                                 # results/gpu/, and in $OUT when set
#
# Carry .gpu/ to the machine with the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
CARRY=.gpu
SHARED=${SHARED:-../shared/data}
# Keras and its dependencies; each is installed only where it is missing.
PACKAGES="keras namex optree absl-py rich markdown-it-py mdurl pygments h5py
ml-dtypes packaging typing-extensions"

if [[ "${1:-}" == "--prepare" ]]; then
  # The versions this checkout's tests run with.
  PYTHON=${PYTHON:-.venv/bin/python}
  pins=$("$PYTHON" -c 'import importlib.metadata as m, sys
print(" ".join(f"{n}=={m.version(n)}" for n in sys.argv[1:]))' $PACKAGES)
  rm -rf "$CARRY/wheels"
  mkdir -p "$CARRY/wheels"
  # shellcheck disable=SC2086
  "$PYTHON" -m pip download -q --no-deps --only-binary=:all: \
    --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d "$CARRY/wheels" $pins
  install -m 644 "$SHARED/cifar10_jpeg.npz" "$SHARED/cifar10n.npz" "$CARRY/"
  du -sh "$CARRY"
  exit 0
fi

PYTHON=${PYTHON:-python3}
SITE=${SITE:-/tmp/nnaqc-site}
if [[ -d "$CARRY/wheels" ]]; then
  missing=$("$PYTHON" -c 'import importlib.metadata as m, pathlib, sys
for wheel in sorted(pathlib.Path(sys.argv[1]).glob("*.whl")):
    try:
        m.distribution(wheel.name.split("-")[0])
    except m.PackageNotFoundError:
        print(wheel)' "$CARRY/wheels")
  if [[ -n "$missing" ]]; then
    echo "installing $(echo $missing | xargs -n1 basename | cut -d- -f1-2 | xargs)"
    # shellcheck disable=SC2086
    "$PYTHON" -m pip install -q --no-index --no-deps --no-compile \
      --no-cache-dir --target "$SITE" $missing
  fi
fi
export PYTHONPATH="$SITE:$PWD${PYTHONPATH:+:$PYTHONPATH}"
export KERAS_BACKEND=${KERAS_BACKEND:-jax}
# Runs of one model share compiled steps across model instances.
export JAX_COMPILATION_CACHE_DIR=${JAX_COMPILATION_CACHE_DIR:-/tmp/nnaqc-jax}
log=/dev/null
if [[ -n "${OUT:-}" ]]; then
  log="$OUT/gpu.log"
fi
"$PYTHON" -u benchmarks/gpu.py --data "$CARRY/cifar10_jpeg.npz" \
  --labels "$CARRY/cifar10n.npz" "$@" 2>&1 | tee "$log"
