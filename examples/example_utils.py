"""What the example scripts share: flags, precision, training, the report."""

import argparse
import json
import pathlib
import time

import keras
import numpy as np

from keras_nnaqc import methods
from keras_nnaqc.reproduction.device import describe_device
from keras_nnaqc.version import __version__


def example_parser(
    description, epochs, batch_size=100, noise_rate=0.5, method="nnaqc_balance"
):
    """The flags every example takes; the defaults follow the paper.

    `--backend` must be read before Keras is imported: each example applies
    it first thing, this parser only documents it.

    Args:
        description: What the example does.
        epochs: Default number of epochs.
        batch_size: Default batch size. Defaults to `100`.
        noise_rate: Default noise rate. Defaults to `0.5`.
        method: Default method. Defaults to `"nnaqc_balance"`
            (`NoisyLabelModel`'s defaults).

    Returns:
        An `argparse.ArgumentParser` to add dataset flags to.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--method", default=method, choices=methods.names())
    parser.add_argument(
        "--noise", type=float, default=noise_rate, help="rate p"
    )
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--train-size", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--backend", help="jax, tensorflow or torch (default: $KERAS_BACKEND)"
    )
    parser.add_argument("--data-dir", default=None)
    parser.add_argument(
        "--mixed-precision",
        choices=["auto", "on", "off"],
        default="auto",
        help="mixed_float16; auto: on a GPU",
    )
    parser.add_argument(
        "--no-jit", action="store_true", help="do not compile with XLA"
    )
    parser.add_argument(
        "--patience",
        type=int,
        default=None,
        help="stop when the noisy validation accuracy has not improved for "
        "this many epochs, keeping the best epoch (default: train all "
        "epochs, as the paper)",
    )
    parser.add_argument("--output-dir", default="nnaqc-output")
    parser.add_argument("--verbose", type=int, default=1)
    return parser


def stepwise_sgd(learning_rates, epochs, steps_per_epoch, weight_decay=None):
    """SGD with momentum 0.9 whose learning rate drops at given epochs.

    Args:
        learning_rates: The rate of each stage, e.g. `(0.05, 0.005, 0.0005)`.
        epochs: The epochs at which the next stage starts, e.g. `(30, 40)`.
        steps_per_epoch: Batches per epoch.
        weight_decay: Optional decoupled weight decay. Defaults to `None`.

    Returns:
        A `keras.optimizers.SGD`.
    """
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay(
        [epoch * steps_per_epoch for epoch in epochs], list(learning_rates)
    )
    return keras.optimizers.SGD(
        schedule, momentum=0.9, weight_decay=weight_decay
    )


def load_splits(args, name, test_split="test", validation_split=0.1, **options):
    """The noisy training and validation parts and the clean test split.

    The noise is drawn once for the whole training split; `validation_split`
    of it, noisy too, is held out to stop training early (a user has no
    clean labels to do that with).

    Args:
        args: Parsed `example_parser` flags (noise, seed, sizes, data).
        name: A dataset of `keras_nnaqc.datasets.load`.
        test_split: The clean split to test on. Defaults to `"test"`.
        validation_split: Share held out. Defaults to `0.1`.
        **options: More `load` arguments (`augment`, `image_size`...); the
            held-out and test splits are never augmented.

    Returns:
        `(train, validation, test)` `NoisyDataset`s.
    """
    from keras_nnaqc import datasets

    common = {
        "seed": args.seed,
        "batch_size": args.batch_size,
        "data_dir": args.data_dir,
        **options,
    }
    noisy = {
        "noise_rate": args.noise,
        "train_size": args.train_size,
        "validation_split": validation_split,
    }
    train = datasets.load(name, subset="training", **noisy, **common)
    common["augment"] = False
    validation = datasets.load(name, subset="validation", **noisy, **common)
    test = datasets.load(name, split=test_split, **common)
    if train.actual_noise is not None:
        share = f"{train.actual_noise:.1%}"
        print(f"{len(train)} training examples, {share} mislabelled")
    return train, validation, test


def train_and_report(
    args,
    dataset,
    build_base_model,
    train,
    test,
    optimizer,
    validation=None,
    top_k=None,
):
    """Trains `args.method`, tests it on clean labels, saves and reports.

    Args:
        args: Parsed `example_parser` flags.
        dataset: Name of the dataset, for the files and the report.
        build_base_model: Returns a fresh base model (logits).
        train: The noisy training `NoisyDataset`.
        test: The clean test `NoisyDataset`, in order.
        optimizer: Optimizer name, config or instance.
        validation: Optional noisy validation `NoisyDataset`, for
            `--patience`. Defaults to `None`.
        top_k: Also report the top-k error (5 for ImageNet). Defaults to
            `None`.

    Returns:
        `(trained, result)`: the `TrainedModel` and the results dict, also
        appended as a JSON line to `<output_dir>/results.jsonl`.
    """
    accelerator = describe_device().startswith("gpu")
    if args.mixed_precision == "on" or (
        args.mixed_precision == "auto" and accelerator
    ):
        keras.mixed_precision.set_global_policy("mixed_float16")
    # The datasets shuffle themselves, every epoch.
    fit_kwargs = {
        "epochs": args.epochs,
        "verbose": args.verbose,
        "shuffle": False,
    }
    if validation is not None:
        fit_kwargs["validation_data"] = validation.dataset
        if args.patience is not None:
            fit_kwargs["callbacks"] = [
                keras.callbacks.EarlyStopping(
                    monitor="val_accuracy",
                    patience=args.patience,
                    restore_best_weights=True,
                )
            ]
    keras.utils.set_random_seed(args.seed)
    start = time.time()
    trained = methods.get(args.method).train(
        build_base_model,
        train.dataset,
        None,
        train.num_classes,
        optimizer=optimizer,
        true_transition=train.transition_matrix,
        jit_compile=False if args.no_jit else "auto",
        **fit_kwargs,
    )
    wall_s = time.time() - start
    scores = trained.model.predict(test.ordered(), verbose=0)
    ranks = np.argsort(-scores, axis=1)
    result = {
        "dataset": dataset,
        "method": args.method,
        "noise": args.noise,
        "train_size": len(train),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "seed": args.seed,
        "test_error": _error(ranks[:, :1], test.clean_labels),
        "actual_noise": train.actual_noise,
        "wall_s": round(wall_s, 1),
        "backend": keras.backend.backend(),
        "device": describe_device(),
        "precision": keras.mixed_precision.dtype_policy().name,
        "version": __version__,
    }
    if top_k:
        result[f"top{top_k}_error"] = _error(
            ranks[:, :top_k], test.clean_labels
        )
    output = pathlib.Path(args.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    name = f"{dataset}_{args.method}_p{args.noise:g}"
    trained.model.save(output / f"{name}.keras")
    with open(output / "results.jsonl", "a") as file:
        file.write(json.dumps(result) + "\n")
    print(json.dumps(result))
    print(f"Test error: {result['test_error']:.2f}%")
    print(f"Clean model saved to {output / name}.keras")
    return trained, result


def _error(top_ranks, labels):
    hits = np.any(top_ranks == np.asarray(labels)[:, None], axis=1)
    return round(100.0 * float(1.0 - hits.mean()), 4)
