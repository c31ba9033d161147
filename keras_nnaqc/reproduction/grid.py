"""A resumable grid of experiments, and the tables and figures made from it."""

import itertools
import json
import pathlib
import time

from keras_nnaqc.reproduction.runner import recorded_setting
from keras_nnaqc.reproduction.runner import run_experiment
from keras_nnaqc.reproduction.runner import true_transition
from keras_nnaqc.reproduction.settings import get_setting
from keras_nnaqc.reproduction.tables import column_label
from keras_nnaqc.reproduction.tables import flag_table
from keras_nnaqc.reproduction.tables import head_table
from keras_nnaqc.reproduction.tables import markdown_table
from keras_nnaqc.reproduction.tables import noise_column
from keras_nnaqc.reproduction.tables import read_results
from keras_nnaqc.reproduction.tables import summarize
from keras_nnaqc.reproduction.tables import training_fit_table
from keras_nnaqc.reproduction.tables import write_csv

RESULTS_FILE = "results.jsonl"
# Methods whose noise model is worth a picture, as drawn in the figures.
TRANSITION_FIGURE_METHODS = (
    "nnaqc",
    "nnaqc_balance",
    "nna",
    "trace",
    "dropout",
    "forward",
)


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
    label_sets=None,
    labels_path=None,
):
    """Runs every configuration of a grid not already in `out_dir`.

    Results are appended to `out_dir/results.jsonl` as each run finishes, so
    an interrupted grid resumes where it stopped; then the table
    (`table.md`, `table.csv`) and figures are written from all the results
    of `dataset` in the file (other grids' too: one table can hold several
    noise models), methods in the order given, then the file's others.

    Args:
        dataset: Dataset of the experiments.
        methods: Method names.
        noise_rates: Label-noise rates; `None` with `label_sets`.
        train_sizes: Training-set sizes (numbers of images).
        seeds: Seeds; each gives every method the same noisy data.
        out_dir: Folder of the results, tables and figures.
        epochs: Training epochs. Defaults to `None` (the setting's).
        data_path: Local data file. Defaults to `None`.
        verbose: Keras verbosity of `fit`. Defaults to `0`.
        noise_model: A name of `keras_nnaqc.noise.NOISE_MODELS`. Defaults
            to `"uniform_simplex"` (eq. 1).
        label_sets: For a dataset of real noisy labels (CIFAR-10N), the
            label sets to train on, instead of noise rates. Defaults to
            `None`.
        labels_path: The file of those labels. Defaults to `None`.

    Returns:
        The results of the grid's configurations, as dicts.
    """
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results_path = out_dir / RESULTS_FILE
    setting = get_setting(dataset)
    if epochs is None:
        epochs = setting.epochs
    unknown = [
        name for name in label_sets or () if name not in setting.label_sets
    ]
    if unknown:
        raise ValueError(
            f"Unknown label sets for {dataset}: valid ones are "
            f"{', '.join(setting.label_sets) or 'none'}. "
            f"Received: label_sets={list(label_sets)!r}"
        )
    if label_sets:
        noises = [{"label_set": name} for name in label_sets]
        data = {"data_path": data_path, "labels_path": labels_path}
    else:
        noises = [
            {"noise_rate": rate, "noise_model": noise_model}
            for rate in noise_rates
        ]
        data = {"data_path": data_path}
    configurations = [
        {
            "dataset": dataset,
            "method": method,
            **noise,
            "train_size": size,
            "seed": seed,
            "epochs": epochs,
        }
        for size, seed, noise, method in itertools.product(
            train_sizes, seeds, noises, methods
        )
    ]
    recorded = read_results(results_path)
    check_same_setting(recorded, dataset, epochs, results_path)
    finished = {_key(result) for result in recorded}
    pending = [c for c in configurations if _key(c) not in finished]
    already = len(configurations) - len(pending)
    print(
        f"{len(configurations)} configurations, {already} already in "
        f"{results_path}, {len(pending)} to run.",
        flush=True,
    )
    start = time.time()
    for done, configuration in enumerate(pending, start=1):
        result = run_experiment(**configuration, **data, verbose=verbose)
        with open(results_path, "a") as file:
            file.write(json.dumps(result) + "\n")
        elapsed = time.time() - start
        remaining = elapsed / done * (len(pending) - done)
        print(
            f"[{done}/{len(pending)}] {result['method']} "
            f"noise {column_label(noise_column(result))} "
            f"n={result['train_size']} seed={result['seed']}: "
            f"{result['test_error']:.2f}% error, {result['wall_s']:.0f} s "
            f"(about {remaining / 60:.0f} min left)",
            flush=True,
        )
    everything = read_results(results_path)
    everything = [r for r in everything if r["dataset"] == dataset]
    order = list(methods)
    order += [r["method"] for r in everything if r["method"] not in order]
    write_report(everything, dataset, out_dir, list(dict.fromkeys(order)))
    wanted = {_key(configuration) for configuration in configurations}
    return [r for r in everything if _key(r) in wanted]


def check_same_setting(recorded, dataset, epochs, results_path):
    """Refuses to add runs to results of another setting.

    One table must not mix runs of two settings, nor may a run of one
    stand for a run of the other. A run recorded before a key of the
    setting was (`base_model`, `rate_steps`...) is taken to agree on it.

    Args:
        recorded: Result dicts read from `results_path`.
        dataset: The dataset of the new runs.
        epochs: The epochs of the new runs.
        results_path: The file `recorded` was read from, for the message.

    Raises:
        ValueError: If `recorded` holds `dataset` runs of another base
            model, schedule or stopping than the new runs'.
    """
    ours = {"epochs": epochs, **recorded_setting(get_setting(dataset), epochs)}
    for result in recorded:
        theirs = {key: result.get(key, value) for key, value in ours.items()}
        if result["dataset"] == dataset and theirs != ours:
            theirs = {key: result.get(key, "not recorded") for key in ours}
            raise ValueError(
                f"{results_path} holds {dataset} runs of another setting "
                f"or `epochs`: {theirs}; these runs would be {ours}. Keep "
                f"runs of different settings in different folders. "
                f"Received: dataset={dataset!r}, epochs={epochs}"
            )


def write_report(results, dataset, out_dir, methods=None):
    """Writes the tables and figures of a set of results.

    `table.md` and `table.csv` (clean test error), `wall_time.md` (training
    seconds), `flagged.md` (how well pruning methods and `NoisyLabelModel`'s
    `label_issues` found the wrong labels, when one ran), `heads.md` (how
    far each method's noise model is from the labels' noise, when one had
    a model), `training_fit.md` (what the models predict for their
    training images, when recorded) and the figures.

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
    if all("wall_s" in result for result in results):
        paths.append(out_dir / "wall_time.md")
        paths[-1].write_text(
            markdown_table(results, dataset, methods, value="wall_s")
        )
    for name, text in [
        ("flagged.md", flag_table(results, methods)),
        ("heads.md", head_table(results, methods)),
        ("training_fit.md", training_fit_table(results, methods)),
    ]:
        if text:
            paths.append(out_dir / name)
            paths[-1].write_text(text)
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
    if any(isinstance(key[2], float) for key in summary):
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
    for column in dict.fromkeys(noise_column(r) for r in results):
        chosen = [
            r
            for r in results
            if noise_column(r) == column
            and r["seed"] == first_seed
            and r["train_size"] == largest
            and r["transition_matrix"] is not None
        ]
        learned = {
            r["method"]: r["transition_matrix"]
            for r in chosen
            if r["method"] in TRANSITION_FIGURE_METHODS
        }
        if column == 0.0 or not learned:
            continue
        true = _true_matrix(chosen)
        heading = f"p={column:g}" if isinstance(column, float) else column
        matrices = {} if true is None else {f"true ({heading})": true}
        matrices.update(
            (method, learned[method])
            for method in TRANSITION_FIGURE_METHODS
            if method in learned
        )
        paths.append(
            plot_transition_matrices(
                matrices,
                out_dir / f"transitions_{_file_part(chosen[0])}.png",
                title=f"{dataset}: noise models learned (seed {first_seed})",
            )
        )
    return paths


def _true_matrix(results):
    """The noise of one column's runs: the recorded `noise_matrix`, else
    (results from before it was recorded) the genie's matrix, else the
    drawn matrix, or `None` where the noise has no matrix to draw."""
    for result in results:
        if result.get("noise_matrix") is not None:
            return result["noise_matrix"]
    for result in results:
        if result["method"] == "genie":
            return result["transition_matrix"]
    result = results[0]
    noise_model = result.get("noise_model") or "uniform_simplex"
    if result.get("label_set") or noise_model == "idn":
        return None
    return true_transition(
        result["dataset"], result["noise"], result["seed"], noise_model
    )


def _file_part(result):
    """`p50` for eq. 1 noise at 50%, `pair_p45`, or the label set's name."""
    if result.get("label_set"):
        return result["label_set"]
    rate = f"p{round(result['noise'] * 100):02d}"
    noise_model = result.get("noise_model") or "uniform_simplex"
    return rate if noise_model == "uniform_simplex" else f"{noise_model}_{rate}"


def _key(configuration):
    if configuration.get("label_set"):
        noise = (None, None, configuration["label_set"])
    else:
        rate = configuration.get("noise_rate", configuration.get("noise"))
        noise_model = configuration.get("noise_model") or "uniform_simplex"
        noise = (float(rate), noise_model, None)
    return (
        configuration["dataset"],
        configuration["method"],
        *noise,
        configuration["train_size"],
        configuration["seed"],
        configuration["epochs"],
    )
