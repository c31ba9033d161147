"""Results tables laid out like the paper's: methods by size and noise.

A column is the noise a run was trained under: its rate for the paper's
eq. 1 noise, the noise model and rate for other noise (`"pair 45%"`), or the
name of a set of real noisy labels (`"worse"`).
"""

import csv
import json

import numpy as np

from keras_nnaqc.methods import get as get_method
from keras_nnaqc.reproduction.paper_results import paper_error

# The row of a method whose clean probabilities cleanlab filtered too.
CLEANLAB_ROW = " + cleanlab's filter"


def read_results(path):
    """The results stored in a JSON-lines file.

    Args:
        path: The file; a missing file holds no results.

    Returns:
        A list of dicts, one per line.
    """
    try:
        with open(path) as lines:
            return [json.loads(line) for line in lines if line.strip()]
    except FileNotFoundError:
        return []


def noise_column(result):
    """The table column of a result: the noise its labels carry.

    Args:
        result: A result dict of `run_experiment`.

    Returns:
        The noise rate (a float) for eq. 1 noise; `"<noise model> <rate>%"`
        for other synthetic noise; the label set's name for real noisy
        labels.
    """
    if result.get("label_set"):
        return result["label_set"]
    noise_model = result.get("noise_model") or "uniform_simplex"
    if noise_model == "uniform_simplex":
        return float(result["noise"])
    return f"{noise_model} {result['noise'] * 100:g}%"


def summarize(results, value="test_error"):
    """Mean, standard deviation and count of a value of each configuration.

    Args:
        results: Result dicts of `run_experiment`.
        value: The result's key to summarize. Defaults to `"test_error"`.

    Returns:
        A dict mapping `(method, train_size, noise_column(result))` to
        `(mean, std, seed_count)`, with the sample standard deviation (0 for
        one seed).
    """
    values = {}
    for result in results:
        key = (result["method"], result["train_size"], noise_column(result))
        values.setdefault(key, []).append(result[value])
    return {
        key: (
            float(np.mean(found)),
            float(np.std(found, ddof=1)) if len(found) > 1 else 0.0,
            len(found),
        )
        for key, found in values.items()
    }


def markdown_table(results, dataset, methods=None, value="test_error"):
    """A Markdown table of mean clean test error (%) like the paper's.

    Rows are methods; columns are grouped by training-set size, then noise
    rate. A cell reads `mean ± std (paper)`; `±` is left out for one seed,
    `(paper)` where the paper reports nothing, and a configuration without
    results reads `not run`. A test error whose model predicted fewer
    classes than there are (classes merged, or training collapsed) says so,
    with the fewest over seeds: `90.00 (37.80) [1 class]`.

    Args:
        results: Result dicts of `run_experiment` for `dataset`.
        dataset: Dataset whose paper numbers are shown beside ours.
        methods: Row order. Defaults to `None`: methods in order of first
            appearance.
        value: `"test_error"`, or `"wall_s"` for the training time in
            seconds (without the paper's numbers). Defaults to
            `"test_error"`.

    Returns:
        The table as a string.
    """
    summary = summarize(results, value)
    decimals = 2 if value == "test_error" else 0
    fewest = _fewest_predicted_classes(results)

    def cell(method, size, column):
        text = "not run"
        if (method, size, column) in summary:
            mean, std, count = summary[(method, size, column)]
            text = f"{mean:.{decimals}f}"
            text += f" ± {std:.{decimals}f}" if count > 1 else ""
        if value == "test_error":
            paper = _paper_error(dataset, method, size, column)
            text += "" if paper is None else f" ({paper:.2f})"
            if (method, size, column) in fewest:
                count = fewest[(method, size, column)]
                text += f" [{count} class{'es' if count > 1 else ''}]"
        return text

    return _table(results, methods, cell)


def _fewest_predicted_classes(results):
    """`(method, train_size, noise column)` to the fewest classes its runs
    predicted, where a run predicted fewer than there are."""
    fewest = {}
    for result in results:
        predicted = result.get("predicted_classes")
        classes = len(result.get("noise_matrix") or ())
        if predicted is None or not predicted < classes:
            continue
        key = (result["method"], result["train_size"], noise_column(result))
        fewest[key] = min(predicted, fewest.get(key, predicted))
    return fewest


def flag_table(results, methods=None):
    """A Markdown table of how well methods found the wrong labels.

    A cell reads `precision / recall / F1` of the training labels a method
    dropped, or its `label_issues` flagged, against those truly wrong
    (`flagged` of `run_experiment`), means over seeds; "n/a" where a seed
    has nothing to divide by (no wrong label: recall). A method scored by
    cleanlab's filter too (`flagged_cleanlab`) gets a second row, "METHOD
    + cleanlab's filter".

    Args:
        results: Result dicts of `run_experiment`. A method gets a row
            where one of its runs has flags; in it, a run without them (a
            record older than flags; for a "+ cleanlab's filter" row, a
            run without cleanlab installed) reads "not recorded", a
            configuration never run "not run". Seeds without flags are
            left out of a cell's mean.
        methods: Row order. Defaults to `None`: in order of appearance.

    Returns:
        The table as a string, or `""` when no result flagged labels.
    """
    ran = {(r["method"], r["train_size"], noise_column(r)) for r in results}
    ran |= {(method + CLEANLAB_ROW, *cell) for method, *cell in ran}
    rows = []
    for result in results:
        if result.get("flagged"):
            rows.append(result)
        if result.get("flagged_cleanlab"):
            rows.append(
                {
                    **result,
                    "method": result["method"] + CLEANLAB_ROW,
                    "flagged": result["flagged_cleanlab"],
                }
            )
    if not rows:
        return ""
    present = dict.fromkeys(row["method"] for row in rows)
    if methods:
        methods = [row for m in methods for row in (m, m + CLEANLAB_ROW)]
    methods = [m for m in methods or present if m in present]
    fields = ("precision", "recall", "f1")
    return _share_table(results, rows, ran, methods, "flagged", fields)


def training_fit_table(results, methods=None):
    """A Markdown table of what the models predict for their training
    images.

    A cell reads `followed / corrected / kept`: the shares of the wrongly
    labelled training images where the kept model predicts the given label
    and the true class, and of the rightly labelled ones where it predicts
    their label (`training_fit` of `run_experiment`), means over seeds; a
    share reads "n/a" where a seed has no image to share (no wrong label).

    Args:
        results: Result dicts of `run_experiment`. A method gets a row
            where one of its runs recorded the shares; in it, a run
            without them (a record older than them) reads "not recorded", a
            configuration never run "not run".
        methods: Row order. Defaults to `None`: in order of appearance.

    Returns:
        The table as a string, or `""` when no result recorded the shares.
    """
    rows = [result for result in results if result.get("training_fit")]
    if not rows:
        return ""
    ran = {(r["method"], r["train_size"], noise_column(r)) for r in results}
    present = dict.fromkeys(row["method"] for row in rows)
    methods = [m for m in methods or present if m in present]
    fields = ("wrong_followed", "wrong_corrected", "right_kept")
    return _share_table(results, rows, ran, methods, "training_fit", fields)


def _share_table(results, rows, ran, methods, key, fields):
    """`_table` of the means over seeds of `row[key][field]` for each of
    `fields`, joined by " / "; a configuration in `ran` without rows reads
    "not recorded", one not in it "not run"."""
    shares = {}
    for row in rows:
        cell_key = (row["method"], row["train_size"], noise_column(row))
        shares.setdefault(cell_key, []).append(
            [row[key][field] for field in fields]
        )

    def cell(method, size, column):
        if (method, size, column) not in shares:
            return (
                "not recorded" if (method, size, column) in ran else "not run"
            )
        return " / ".join(
            "n/a" if None in seeds else f"{np.mean(seeds):.3f}"
            for seeds in zip(*shares[(method, size, column)], strict=True)
        )

    return _table(results, list(dict.fromkeys(methods)), cell)


def matrix_gap(learned, truth):
    """The mean diagonal of a noise matrix `learned`, and the mean total
    variation distance of its rows from those of `truth`, over the rows
    `truth` has (an all-zero row: a class with no labels)."""
    learned, truth = np.asarray(learned), np.asarray(truth)
    present = truth.any(axis=1)
    distances = np.abs(learned - truth).sum(axis=1)[present] / 2
    return np.diag(learned).mean(), distances.mean()


def head_table(results, methods=None):
    """A Markdown table of how far each method's noise model is from the
    labels' noise.

    A cell reads `diagonal / distance`: the mean diagonal of the run's
    `transition_matrix` (learned, estimated or given) and the mean total
    variation distance of its rows from the labels' `noise_matrix` (for a
    method that pruned, from the `kept_noise_matrix` of the labels its last
    stage trained on), means over seeds. The first row, "labels", holds
    the labels' own mean diagonal, from every run with a `noise_matrix`
    (a plain run's too): where a head's is lower, it explains
    more of the labels as noise than there is (a pruning method's head
    trained on fewer wrong labels, so its diagonal is higher).

    Args:
        results: Result dicts of `run_experiment`; a run without both
            matrices reads "n/a": a method without a noise model, a record
            written before `noise_matrix` was, or a pruning method's
            record written before `kept_noise_matrix` was.
        methods: Row order. Defaults to `None`: in order of appearance.

    Returns:
        The table as a string, or `""` when no result has both matrices.
    """
    ran = {(r["method"], r["train_size"], noise_column(r)) for r in results}
    ran_cells = {cell[1:] for cell in ran}
    with_matrices = [
        r
        for r in results
        if r.get("transition_matrix") is not None
        and r.get("noise_matrix") is not None
    ]
    if not with_matrices:
        return ""
    labels = {}
    for result in results:
        if result.get("noise_matrix") is not None:
            column = (result["train_size"], noise_column(result))
            diagonal = np.diag(result["noise_matrix"]).mean()
            labels.setdefault(column, {})[result["seed"]] = diagonal
    scores = {}
    for result in with_matrices:
        column = (result["train_size"], noise_column(result))
        truth = result["noise_matrix"]
        if "kept_noise_matrix" in result:
            truth = result["kept_noise_matrix"]
        elif _prunes(result["method"]):
            continue
        scores.setdefault((result["method"], *column), []).append(
            matrix_gap(result["transition_matrix"], truth)
        )
    present = list(dict.fromkeys(r["method"] for r in with_matrices))
    methods = [m for m in methods or present if m in present]

    def cell(method, size, column):
        if method == "labels":
            if (size, column) in labels:
                seeds = labels[(size, column)].values()
                return f"{np.mean(list(seeds)):.3f}"
            return "n/a" if (size, column) in ran_cells else "not run"
        if (method, size, column) in scores:
            diagonal, distance = np.mean(scores[(method, size, column)], axis=0)
            return f"{diagonal:.3f} / {distance:.3f}"
        return "n/a" if (method, size, column) in ran else "not run"

    return _table(results, ["labels", *methods], cell)


def _prunes(method):
    """Whether a method of the registry trains its last stage on the labels
    it kept, for records without `kept_noise_matrix` (`False` for a name
    the registry does not hold)."""
    try:
        return get_method(method).prune is not None
    except ValueError:
        return False


def _noise_head(columns):
    # "Noise %" above eq. 1 rates alone; named noise carries its own unit.
    if all(isinstance(column, float) for column in columns):
        return "Noise %"
    return "Noise"


def _table(results, methods, cell):
    """Methods by training-set size and noise column, `cell(method, size,
    column)` in each."""
    methods = methods or list(dict.fromkeys(r["method"] for r in results))
    sizes = sorted({r["train_size"] for r in results}, reverse=True)
    rates = _column_order(results)
    columns = [(size, rate) for size in sizes for rate in rates]
    group_heads = [
        _size_name(size) if rate == rates[0] else "" for size, rate in columns
    ]
    lines = [
        "| Training samples | " + " | ".join(group_heads) + " |",
        "| --- |" + " --- |" * len(columns),
        f"| **{_noise_head(rates)}** | "
        + " | ".join(f"**{column_label(rate)}**" for _, rate in columns)
        + " |",
    ]
    for method in methods:
        cells = [cell(method, size, rate) for size, rate in columns]
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_csv(results, dataset, path):
    """One CSV row per configuration: our mean, std, seeds, and the paper's."""
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            [
                "method",
                "train_size",
                "noise",
                "mean_test_error",
                "std_test_error",
                "seeds",
                "paper_test_error",
            ]
        )
        for (method, size, rate), (mean, std, count) in summarize(
            results
        ).items():
            paper = _paper_error(dataset, method, size, rate)
            writer.writerow(
                [
                    method,
                    size,
                    rate,
                    f"{mean:.4f}",
                    f"{std:.4f}",
                    count,
                    "" if paper is None else paper,
                ]
            )
    return path


def _column_order(results):
    """The columns of `results`: eq. 1 rates, then other noise models by
    name and rate, then label sets in order of first appearance."""
    order = {}
    for index, result in enumerate(results):
        column = noise_column(result)
        if result.get("label_set"):
            key = (2, "", index)
        elif isinstance(column, float):
            key = (0, "", column)
        else:
            key = (1, result["noise_model"], result["noise"])
        order.setdefault(column, key)
    return sorted(order, key=order.get)


def column_label(column):
    """A column's heading: `50` (eq. 1, %), `pair 45%` or `worse`."""
    return f"{column * 100:g}" if isinstance(column, float) else column


def _paper_error(dataset, method, size, column):
    """The paper's error for a column of eq. 1 noise, else `None`."""
    if not isinstance(column, float):
        return None
    return paper_error(dataset, method, size, column)


def _size_name(size):
    return f"{size // 1000}K" if size % 1000 == 0 else str(size)
