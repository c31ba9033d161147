"""Does the noisy hold-out pick the better of plain training and NNAQC?

Pairs each `base` run of a results file with the `nnaqc_balance` and
`nnaqc` runs of the same data (dataset, noise, training-set size, seed)
and checks whether the higher accuracy on the noisy hold-out (the kept
epoch's `val_accuracy`: all a user has) goes with the lower clean test
error. Prints a Markdown table, one row per pair, and the count.

    python scripts/holdout_selection.py results > results/holdout_selection.md
"""

import argparse
import pathlib

from keras_nnaqc.reproduction import read_results
from keras_nnaqc.reproduction.tables import column_label
from keras_nnaqc.reproduction.tables import noise_column

NNAQC_METHODS = ("nnaqc_balance", "nnaqc")


def pairs(results):
    """`(base, nnaqc run)` pairs of the same data, both with a hold-out
    accuracy."""
    runs = {}
    for result in results:
        accuracy = (result.get("validation") or {}).get("val_accuracy")
        if accuracy is None:
            continue
        data = (
            result.get("dataset"),
            noise_column(result),
            result["train_size"],
            result["seed"],
        )
        runs[data + (result["method"],)] = result
    found = []
    for (*data, method), run in runs.items():
        base = runs.get((*data, "base"))
        if method in NNAQC_METHODS and base:
            found.append((base, run))
    return found


def table(results_dir):
    """The Markdown table of every pair under `results_dir`, and the number
    of pairs in which the hold-out picked the lower test error."""
    lines = [
        "| results | data | NNAQC | plain: hold-out accuracy / test error "
        "| NNAQC: hold-out accuracy / test error | hold-out picks the "
        "better |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    right = 0
    root = pathlib.Path(results_dir)
    for path in sorted(root.glob("**/*.jsonl")):
        for base, run in pairs(read_results(path)):
            base_accuracy = base["validation"]["val_accuracy"]
            accuracy = run["validation"]["val_accuracy"]
            picks_base = base_accuracy >= accuracy
            base_better = base["test_error"] <= run["test_error"]
            right += picks_base == base_better
            noise = noise_column(run)
            unit = "% noise" if isinstance(noise, float) else ""
            data = (
                f"{run['dataset']}, {column_label(noise)}{unit}, "
                f"{run['train_size']:,} images, seed {run['seed']}"
            )
            lines.append(
                f"| {path.parent.relative_to(root)} | {data} | "
                f"{run['method']} | {base_accuracy:.4f} / "
                f"{base['test_error']:.2f} | {accuracy:.4f} / "
                f"{run['test_error']:.2f} | "
                f"{'yes' if picks_base == base_better else 'no'} |"
            )
    return "\n".join(lines) + "\n", right, len(lines) - 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results_dir", nargs="?", default="results")
    args = parser.parse_args()
    text, right, total = table(args.results_dir)
    print(text)
    print(f"The hold-out picked the better model in {right} of {total} pairs.")


if __name__ == "__main__":
    main()
