"""NNAQC at high noise: beta, and the beta warm-up, on the reproduction's data.

    KERAS_BACKEND=tensorflow python scripts/beta_study.py \\
        --data ../shared/data/mnist.npz --noise 0.7 --seeds 0 1

Trains NNAQC (alpha = 0.9) on full MNIST exactly as `nnaqc reproduce` does
(same noisy data per seed, same schedule and early stopping) with beta 0.5
and 0.7, and appends one result line per run to
`results/mnist/beta_study.jsonl`. Beta 0.9, with and without the 2-epoch
warm-up, are the reproduction's own `nnaqc` and `nnaqc_warmup` rows.
"""

import argparse
import json
import pathlib

from keras_nnaqc import methods
from keras_nnaqc.experiments import read_results
from keras_nnaqc.experiments import run_experiment
from keras_nnaqc.layers import NoiseAdaptationLayer
from keras_nnaqc.models import NoisyLabelModel

OUTPUT = pathlib.Path(__file__).resolve().parents[1] / "results/mnist"


def nnaqc(beta):
    def build(base_model, num_classes, transition):
        model = NoisyLabelModel(
            base_model,
            noise=NoiseAdaptationLayer(mode="nonlinear"),
            alpha=0.9,
            beta=beta,
            from_logits=True,
        )
        return model, None

    name = f"nnaqc_beta{beta:g}"
    return methods.Method(name, f"NNAQC, beta {beta}", "beta study", build)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="the full mnist.npz")
    parser.add_argument("--noise", nargs="+", type=float, default=[0.7])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    args = parser.parse_args()
    path = OUTPUT / "beta_study.jsonl"
    done = {(r["method"], r["noise"], r["seed"]) for r in read_results(path)}
    variants = [nnaqc(0.5), nnaqc(0.7)]
    for rate in args.noise:
        for seed in args.seeds:
            for method in variants:
                if (method.name, rate, seed) in done:
                    continue
                result = run_experiment(
                    "mnist", method, rate, seed=seed, data_path=args.data
                )
                with open(path, "a") as file:
                    file.write(json.dumps(result) + "\n")
                print(method.name, rate, seed, result["test_error"], flush=True)


if __name__ == "__main__":
    main()
