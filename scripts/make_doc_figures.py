"""Draws every figure of the docs from data kept in the repository.

    python scripts/make_doc_figures.py [--out docs/figures]

Reads `docs/data/learned_transitions.json` (from
`scripts/learn_transitions.py`) and `results/mnist/results.jsonl` (from
`nnaqc reproduce --table mnist`).
"""

import argparse
import json
import pathlib

import numpy as np

from keras_nnaqc.reproduction import figures
from keras_nnaqc.reproduction import read_results
from keras_nnaqc.reproduction import summarize
from keras_nnaqc.reproduction import true_transition

ROOT = pathlib.Path(__file__).resolve().parents[1]


def architecture(path):
    """The NNAQC architecture: the noise head trains, then is dropped."""
    pyplot = figures.load_pyplot()
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.patches import FancyBboxPatch
    from matplotlib.patches import Rectangle

    width, gap = 1.8, 0.45
    boxes = [
        ("images x", "#e8e8e8"),
        ("base model\n(any Keras model)", "#cfe2f3"),
        ("clean prediction\ny_hat = softmax(t)", "#d9ead3"),
        ("noise head\ny_hat' = softmax(y_hat W)", "#fce5cd"),
        ("noisy labels y'", "#f4cccc"),
    ]
    starts = [0.2 + i * (width + gap) for i in range(len(boxes))]
    figure, axis = pyplot.subplots(figsize=(11, 3.4))
    axis.set_xlim(0, starts[-1] + width + 0.2)
    axis.set_ylim(0, 3.4)
    axis.axis("off")
    axis.add_patch(
        Rectangle(
            (starts[3] - 0.15, 0.75),
            2 * width + gap + 0.3,
            2.3,
            fill=False,
            linestyle="--",
            color="grey",
        )
    )
    axis.text(
        starts[3] + width + gap / 2,
        2.8,
        "training only: dropped for predict and export",
        ha="center",
        color="grey",
        fontsize=9,
    )
    for start, (text, colour) in zip(starts, boxes, strict=True):
        axis.add_patch(
            FancyBboxPatch(
                (start, 1.3),
                width,
                0.9,
                boxstyle="round,pad=0.05",
                facecolor=colour,
                edgecolor="black",
            )
        )
        axis.text(
            start + width / 2,
            1.75,
            text,
            ha="center",
            va="center",
            fontsize=8.5,
        )
    for left, right in zip(starts, starts[1:], strict=False):
        axis.add_patch(
            FancyArrowPatch(
                (left + width + 0.07, 1.75),
                (right - 0.07, 1.75),
                arrowstyle="->",
                mutation_scale=15,
            )
        )
    axis.text(
        starts[3] + width + gap / 2,
        1.0,
        "NNA: cross-entropy(y', y_hat')",
        ha="center",
        fontsize=9,
    )
    axis.text(
        starts[2] + width / 2 - 0.5,
        1.0,
        "QC: -sum (beta y_hat + (1-beta) y') log y_hat",
        ha="center",
        fontsize=9,
    )
    axis.text(
        starts[2] + width / 2,
        0.35,
        "loss = alpha NNA + (1 - alpha) QC",
        ha="center",
        fontsize=10,
        weight="bold",
    )
    return figures.save_figure(figure, path)


def learned_heads(out):
    data = json.loads((ROOT / "docs/data/learned_transitions.json").read_text())
    paths = [
        figures.plot_transition_matrices(
            {
                "true noise (phi)": data["true"],
                "observed in the labels": data["observed"],
                "nonlinear head (NNAQC)": data["nonlinear"],
                "linear head": data["linear"],
            },
            out / "transitions_nonlinear_vs_linear.png",
        )
    ]
    pyplot = figures.load_pyplot()
    figure, axes = pyplot.subplots(1, 2, figsize=(8.4, 4))
    scale = max(
        np.abs(data[f"{m}_operator"]).max() for m in ("nonlinear", "linear")
    )
    for axis, mode in zip(axes, ("nonlinear", "linear"), strict=True):
        image = axis.imshow(
            data[f"{mode}_operator"], cmap="RdBu", vmin=-scale, vmax=scale
        )
        axis.set_title(f"{mode} head")
        axis.set_xlabel("clean class i (input)")
        axis.set_ylabel("noisy class j (output)")
    figure.colorbar(image, ax=axes, shrink=0.8)
    figure.suptitle(
        "denoising operator d y_hat'_j / d y_hat_i at a confident "
        "prediction of class 3"
    )
    return paths + [
        figures.save_figure(figure, out / "denoising_operators.png")
    ]


def reproduction(out):
    results = read_results(ROOT / "results/mnist/results.jsonl")
    if not results:
        return []
    paths = [
        figures.plot_error_vs_noise(
            summarize(results),
            out / "mnist_error_vs_noise.png",
            60000,
            title="MNIST, 60K noisy training images (mean of seeds)",
        )
    ]
    chosen = {
        r["method"]: r["transition_matrix"]
        for r in results
        if r["noise"] == 0.7
        and r["seed"] == 0
        and r["method"] in ("nnaqc_paper", "nnaqc", "nnaqc_fast", "trace")
    }
    if chosen:
        matrices = {"true (p=0.7, seed 0)": true_transition("mnist", 0.7, 0)}
        matrices.update(chosen)
        paths.append(
            figures.plot_transition_matrices(
                matrices, out / "mnist_transitions_p70.png"
            )
        )
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs/figures"))
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [architecture(out / "architecture.png")]
    paths += learned_heads(out) + reproduction(out)
    for path in paths:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
