"""A resumable grid of experiments, and the tables and figures made from it."""

import itertools
import json
import pathlib
import time

from keras_nnaqc.reproduction.runner import run_experiment
from keras_nnaqc.reproduction.runner import true_transition
from keras_nnaqc.reproduction.settings import get_setting
from keras_nnaqc.reproduction.tables import markdown_table
from keras_nnaqc.reproduction.tables import read_results
from keras_nnaqc.reproduction.tables import summarize
from keras_nnaqc.reproduction.tables import write_csv

RESULTS_FILE = "results.jsonl"
# Methods whose noise model is worth a picture, as drawn in the figures.
TRANSITION_FIGURE_METHODS = ("nnaqc", "nna", "trace", "dropout", "forward")


def run_grid(
    dataset,
    methods,
    noise_rates,
    train_sizes,
    seeds,
    out_dir,
    epochs=None,
    data_path=None,
    verbose=0,
    noise_model="uniform_simplex",
):
    """Runs every configuration of a grid not already in `out_dir`.

    Results are appended to `out_dir/results.jsonl` as each run finishes, so
    an interrupted grid resumes where it stopped; then the table
    (`table.md`, `table.csv`) and figures are written from all the results
    of `dataset` in the file.

    Args:
        dataset: Dataset of the experiments.
        methods: Method names.
        noise_rates: Label-noise rates.
        train_sizes: Training-set sizes (numbers of images).
        seeds: Seeds; each gives every method the same noisy data.
        out_dir: Folder of the results, tables and figures.
        epochs: Training epochs. Defaults to `None` (the setting's).
        data_path: Local data file. Defaults to `None`.
        verbose: Keras verbosity of `fit`. Defaults to `0`.
        noise_model: A name of `keras_nnaqc.noise.NOISE_MODELS`. Defaults
            to `"uniform_simplex"` (eq. 1).

    Returns:
        The results of the grid's configurations, as dicts.
    """
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results_path = out_dir / RESULTS_FILE
    if epochs is None:
        epochs = get_setting(dataset).epochs
    configurations = [
        {
            "dataset": dataset,
            "method": method,
            "noise_rate": rate,
            "noise_model": noise_model,
            "train_size": size,
            "seed": seed,
            "epochs": epochs,
        }
        for size, seed, rate, method in itertools.product(
            train_sizes, seeds, noise_rates, methods
        )
    ]
    finished = {_key(result) for result in read_results(results_path)}
    pending = [c for c in configurations if _key(c) not in finished]
    already = len(configurations) - len(pending)
    print(
        f"{len(configurations)} configurations, {already} already in "
        f"{results_path}, {len(pending)} to run.",
        flush=True,
    )
    start = time.time()
    for done, configuration in enumerate(pending, start=1):
        result = run_experiment(
            **configuration, data_path=data_path, verbose=verbose
        )
        with open(results_path, "a") as file:
            file.write(json.dumps(result) + "\n")
        elapsed = time.time() - start
        remaining = elapsed / done * (len(pending) - done)
        print(
            f"[{done}/{len(pending)}] {result['method']} p={result['noise']} "
            f"n={result['train_size']} seed={result['seed']}: "
            f"{result['test_error']:.2f}% error, {result['wall_s']:.0f} s "
            f"(about {remaining / 60:.0f} min left)",
            flush=True,
        )
    wanted = {_key(configuration) for configuration in configurations}
    results = [r for r in read_results(results_path) if _key(r) in wanted]
    write_report(results, dataset, out_dir, methods)
    return results


def write_report(results, dataset, out_dir, methods=None):
    """Writes `table.md`, `table.csv` and the figures of a set of results.

    Args:
        results: Result dicts of one dataset.
        dataset: Their dataset, for the paper's numbers.
        out_dir: Folder to write into.
        methods: Row and legend order. Defaults to `None` (as they come).

    Returns:
        The paths written.
    """
    out_dir = pathlib.Path(out_dir)
    table = out_dir / "table.md"
    table.write_text(markdown_table(results, dataset, methods))
    paths = [table, write_csv(results, dataset, out_dir / "table.csv")]
    try:
        paths += _figures(results, dataset, out_dir, methods)
    except ImportError as error:
        print(f"No figures: {error}")
    return paths


def _figures(results, dataset, out_dir, methods):
    from keras_nnaqc.reproduction.figures import plot_error_vs_noise
    from keras_nnaqc.reproduction.figures import plot_transition_matrices

    summary = summarize(results)
    paths = []
    for size in sorted({r["train_size"] for r in results}, reverse=True):
        paths.append(
            plot_error_vs_noise(
                summary,
                out_dir / f"error_vs_noise_{size}.png",
                size,
                methods,
                title=f"{dataset}, {size} noisy training images",
            )
        )
    first_seed = min(r["seed"] for r in results)
    largest = max(r["train_size"] for r in results)
    for rate in sorted({r["noise"] for r in results}):
        if rate == 0:
            continue
        chosen = {
            r["method"]: r["transition_matrix"]
            for r in results
            if r["noise"] == rate
            and r["seed"] == first_seed
            and r["train_size"] == largest
            and r["method"] in TRANSITION_FIGURE_METHODS
            and r["transition_matrix"] is not None
        }
        if not chosen:
            continue
        noise_model = next(r["noise_model"] for r in results)
        matrices = {
            f"true (p={rate:g})": true_transition(
                dataset, rate, first_seed, noise_model
            )
        }
        matrices.update(
            (method, chosen[method])
            for method in TRANSITION_FIGURE_METHODS
            if method in chosen
        )
        paths.append(
            plot_transition_matrices(
                matrices,
                out_dir / f"transitions_p{round(rate * 100):02d}.png",
                title=f"{dataset}: noise models learned (seed {first_seed})",
            )
        )
    return paths


def _key(configuration):
    return (
        configuration["dataset"],
        configuration["method"],
        float(configuration.get("noise_rate", configuration.get("noise"))),
        configuration.get("noise_model", "uniform_simplex"),
        configuration["train_size"],
        configuration["seed"],
        configuration["epochs"],
    )
