"""Does the noisy hold-out pick the better of plain training and NNAQC?

Pools the results files of each `--group` (files of one setting: a grid's
results and the variants run beside it), pairs each plain run (`base`)
with every NNAQC run of the same data and schedule (dataset, noise,
training-set size, seed, epochs, batch size, hold-out share), and checks
whether the higher accuracy on the noisy hold-out (the kept epoch's
`val_accuracy`: all a user has) goes with the lower clean test error.
NNAQC runs are methods named `nnaqc...` and `regu_nnaqc`, not the
pruning ones (`..._prune`), whose hold-out is cleaned. Prints a
Markdown table, one row per pair with the accuracies' difference in
hold-out images, and the counts.

    python scripts/holdout_selection.py \\
        --group results/cifar10/flips_setting/results.jsonl \\
            results/cifar10/flips_setting/nnaqc_variants.jsonl \\
        --group results/mnist/matconvnet/unshifted_setting/results.jsonl
"""

import argparse
import sys

from keras_nnaqc.reproduction import read_results
from keras_nnaqc.reproduction.tables import column_label
from keras_nnaqc.reproduction.tables import noise_column


def is_nnaqc(method):
    pruned = method.endswith("_prune")
    return (method.startswith("nnaqc") or method == "regu_nnaqc") and not pruned


def pairs(results):
    """`(plain run, NNAQC run)` pairs of the same data and schedule, both
    with a hold-out accuracy; of runs repeated, the first."""
    runs = {}
    for result in results:
        if (result.get("validation") or {}).get("val_accuracy") is None:
            continue
        key = (
            result.get("dataset"),
            noise_column(result),
            result["train_size"],
            result["seed"],
            result.get("epochs"),
            result.get("batch_size"),
            result.get("validation_fraction"),
            result["method"],
        )
        if key in runs:
            print(f"Repeated run, first kept: {key}", file=sys.stderr)
            continue
        runs[key] = result
    found = []
    for (*data, method), run in runs.items():
        base = runs.get((*data, "base"))
        if is_nnaqc(method) and base:
            found.append((base, run))
    return found


def verdict(base, run):
    """`"yes"` when the higher hold-out accuracy has the lower test error
    (or the errors are equal), `"no"` when not, `"tie"` when the hold-out
    accuracies are equal."""
    accuracy = run["validation"]["val_accuracy"]
    base_accuracy = base["validation"]["val_accuracy"]
    if accuracy == base_accuracy:
        return "tie"
    if run["test_error"] == base["test_error"]:
        return "yes"
    picks_run = accuracy > base_accuracy
    return (
        "yes" if picks_run == (run["test_error"] < base["test_error"]) else "no"
    )


def table(groups):
    """The Markdown table of the pairs of each group of results files, the
    count of each verdict, and the largest difference of hold-out
    accuracies (points) in a pair where the hold-out picked the worse."""
    lines = [
        "| data | NNAQC run | plain: hold-out accuracy / test error | "
        "NNAQC: hold-out accuracy / test error | difference on the hold-out "
        "(images) | hold-out picks the better |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    counts = {"yes": 0, "no": 0, "tie": 0}
    largest_miss = 0.0  # points of hold-out accuracy
    for group in groups:
        results = [r for path in group for r in read_results(path)]
        for base, run in pairs(results):
            answer = verdict(base, run)
            counts[answer] += 1
            accuracy = run["validation"]["val_accuracy"]
            base_accuracy = base["validation"]["val_accuracy"]
            if answer == "no":
                gap = 100 * abs(accuracy - base_accuracy)
                largest_miss = max(largest_miss, gap)
            held_out = round(run["train_size"] * run["validation_fraction"])
            noise = noise_column(run)
            unit = "% noise" if isinstance(noise, float) else ""
            lines.append(
                f"| {run['dataset']}, {column_label(noise)}{unit}, "
                f"{run['train_size']:,} images, seed {run['seed']} | "
                f"{run['method']} | {base_accuracy:.4f} / "
                f"{base['test_error']:.2f} | {accuracy:.4f} / "
                f"{run['test_error']:.2f} | "
                f"{(accuracy - base_accuracy) * held_out:+.0f} | {answer} |"
            )
    return "\n".join(lines) + "\n", counts, largest_miss


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--group",
        nargs="+",
        action="append",
        required=True,
        help="results files of one setting, pooled",
    )
    args = parser.parse_args()
    text, counts, largest_miss = table(args.group)
    print(text)
    print(
        f"The hold-out picked the better model in {counts['yes']} of "
        f"{sum(counts.values())} pairs, the worse in {counts['no']} (its "
        f"accuracies at most {largest_miss:.1f} points apart), "
        f"{counts['tie']} tied."
    )


if __name__ == "__main__":
    main()
