"""The `nnaqc` command line: demo, methods, run, reproduce and tune."""

import argparse
import json

from keras_nnaqc import methods
from keras_nnaqc import noise

PAPER_NOISE_RATES = [0.0, 0.05, 0.1, 0.3, 0.5, 0.7]
PAPER_GRIDS = {
    # table: (dataset, training-set sizes, seeds) as in the paper
    "mnist": ("mnist", [60000, 40000, 20000], [0, 1, 2, 3, 4]),
    # The same with MatConvNet's MNIST recipe and random shifts (a
    # stronger base model).
    "mnist_matconvnet": (
        "mnist_matconvnet",
        [60000, 40000, 20000],
        [0, 1, 2, 3, 4],
    ),
    "cifar10": ("cifar10", [50000, 30000, 10000], [0, 1, 2, 3, 4]),
    # Real human label noise (not in the paper): all 50,000 images.
    "cifar10n": ("cifar10n", [50000], [0]),
}
# CIFAR-10N's label sets of the benchmark: about 9%, 17% and 40% wrong.
CIFAR10N_GRID_LABEL_SETS = ["aggre", "random1", "worse"]


def main(argv=None):
    """Runs the `nnaqc` command; `nnaqc --help` lists its subcommands."""
    parser = argparse.ArgumentParser(
        prog="nnaqc",
        description="Train Keras classifiers on noisy labels with NNAQC.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo",
        help="plain CNN vs NNAQC on the shipped MNIST subset, 50%% noise",
    )
    demo.add_argument("--epochs", type=int, default=8)
    demo.add_argument("--noise", type=_rate, default=0.5, help="rate p")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--output-dir", default="nnaqc-output")

    commands.add_parser("methods", help="list the methods and their sources")

    run = commands.add_parser(
        "run",
        help="train one configuration; prints its results as a JSON line",
    )
    _add_experiment_arguments(run)
    run.add_argument(
        "--method",
        choices=methods.names(),
        default="nnaqc_balance",
        metavar="METHOD",
        help="one of `nnaqc methods` (default: nnaqc_balance, "
        "NoisyLabelModel's defaults)",
    )
    _add_noise_model_argument(run)
    run.add_argument("--epochs", type=int, default=None)
    _add_label_set_arguments(run)

    reproduce = commands.add_parser(
        "reproduce",
        help="run a grid of the paper's table (resumable) and write it",
    )
    reproduce.add_argument(
        "--table", choices=sorted(PAPER_GRIDS), required=True
    )
    reproduce.add_argument(
        "--methods",
        nargs="+",
        choices=methods.names(),
        default=None,
        metavar="METHOD",
        help="of `nnaqc methods` (default: all)",
    )
    reproduce.add_argument("--noise", nargs="+", type=_rate, default=None)
    _add_noise_model_argument(reproduce)
    reproduce.add_argument(
        "--labels", help="cifar10n: the .npz of CIFAR-10N's human labels"
    )
    reproduce.add_argument(
        "--label-sets",
        nargs="+",
        default=None,
        help="cifar10n: which human labels (default: aggre random1 worse; "
        "each also as its class-conditional twin, e.g. "
        "worse_class_conditional)",
    )
    reproduce.add_argument("--train-sizes", nargs="+", type=int, default=None)
    reproduce.add_argument("--seeds", nargs="+", type=int, default=None)
    reproduce.add_argument("--epochs", type=int, default=None)
    _add_data_argument(reproduce)
    reproduce.add_argument("--out-dir", default=None)
    reproduce.add_argument("--verbose", type=int, default=0)

    tune = commands.add_parser(
        "tune",
        help="cross-validate alpha and beta on noisy data (KerasTuner)",
    )
    _add_experiment_arguments(tune)
    tune.add_argument("--trials", type=int, default=8)
    tune.add_argument("--folds", type=int, default=3)
    tune.add_argument("--epochs", type=int, default=4)
    tune.add_argument(
        "--oracle",
        choices=["random", "bayesian", "hyperband"],
        default="random",
    )
    tune.add_argument("--directory", default="nnaqc-tuning")
    _add_label_set_arguments(tune)
    tune.add_argument(
        "--no-compare",
        dest="compare",
        action="store_false",
        help="skip training alpha = beta = 0.9 for comparison",
    )

    args = parser.parse_args(argv)
    try:
        _run(args)
    except (ValueError, FileNotFoundError) as error:
        # The library's checks of what the flags name (a dataset, a file and
        # its contents...): one line and status 2, as argparse's own errors.
        commands.choices[args.command].error(str(error))


def _run(args):
    """Runs the command that `args` names."""
    if args.command == "demo":
        from keras_nnaqc.reproduction.demo import run_demo

        run_demo(
            epochs=args.epochs,
            noise_rate=args.noise,
            seed=args.seed,
            output_dir=args.output_dir,
        )
    elif args.command == "methods":
        width = max(map(len, methods.names())) + 2
        for name in methods.names():
            method = methods.get(name)
            print(f"{name:<{width}}{method.summary} ({method.reference})")
    elif args.command == "run":
        from keras_nnaqc.reproduction import run_experiment

        result = run_experiment(
            dataset=args.dataset,
            method=args.method,
            noise_rate=args.noise,
            train_size=args.train_size,
            epochs=args.epochs,
            seed=args.seed,
            data_path=args.data,
            noise_model=args.noise_model,
            verbose=args.verbose,
            labels_path=args.labels,
            label_set=args.label_set,
        )
        _print_result(result, args.out)
    elif args.command == "tune":
        from keras_nnaqc.reproduction.tuning_study import tune_alpha_beta

        result = tune_alpha_beta(
            dataset=args.dataset,
            noise_rate=args.noise,
            train_size=args.train_size,
            trials=args.trials,
            folds=args.folds,
            epochs=args.epochs,
            oracle=args.oracle,
            directory=args.directory,
            seed=args.seed,
            data_path=args.data,
            compare=args.compare,
            verbose=args.verbose,
            labels_path=args.labels,
            label_set=args.label_set,
        )
        _print_result(result, args.out)
    elif args.command == "reproduce":
        from keras_nnaqc.reproduction import run_grid

        dataset, sizes, seeds = PAPER_GRIDS[args.table]
        label_sets, noise_rates = None, args.noise or PAPER_NOISE_RATES
        if dataset == "cifar10n":
            if args.noise is not None:
                raise ValueError(
                    "cifar10n carries real human label noise, chosen with "
                    "--label-sets; it takes no --noise. Received: "
                    f"--noise {' '.join(map(str, args.noise))}"
                )
            label_sets = args.label_sets or CIFAR10N_GRID_LABEL_SETS
            noise_rates = None
        elif args.label_sets or args.labels:
            raise ValueError(
                f"--labels and --label-sets are for --table cifar10n. "
                f"Received: --table {args.table}"
            )
        run_grid(
            dataset,
            methods=args.methods or methods.names(),
            noise_rates=noise_rates,
            label_sets=label_sets,
            labels_path=args.labels,
            train_sizes=args.train_sizes or sizes,
            seeds=args.seeds if args.seeds is not None else seeds,
            out_dir=args.out_dir or f"results/{args.table}",
            epochs=args.epochs,
            data_path=args.data,
            verbose=args.verbose,
            noise_model=args.noise_model,
        )


def _print_result(result, out):
    """Prints a result as one JSON line, last; appends it to `out` if given."""
    line = json.dumps(result)
    if out:
        with open(out, "a") as file:
            file.write(line + "\n")
    print(line)


def _add_experiment_arguments(parser):
    """The flags of a one-line experiment: data, noise, seed, output."""
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument(
        "--noise", type=_rate, default=None, help="rate p (default: 0.5)"
    )
    parser.add_argument("--train-size", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    _add_data_argument(parser)
    parser.add_argument("--out", help="also append the JSON line to this file")
    parser.add_argument("--verbose", type=int, default=0)


def _rate(text):
    """A flag's noise rate: a number in [0, 1]."""
    try:
        rate = float(text)
    except ValueError:
        rate = None
    if rate is None or not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError(
            f"must be a rate in [0, 1]. Received: {text!r}"
        )
    return rate


def _add_data_argument(parser):
    parser.add_argument(
        "--data",
        default=None,
        help="local data file, e.g. an mnist.npz (default: $KERAS_NNAQC_DATA)"
        " or a cifar10.npz in the keras.datasets layout",
    )


def _add_label_set_arguments(parser):
    parser.add_argument(
        "--labels", help="cifar10n: the .npz of CIFAR-10N's human labels"
    )
    parser.add_argument(
        "--label-set",
        help="cifar10n: aggre, random1, random2, random3 or worse (each "
        "also as its class-conditional twin, e.g. worse_class_conditional)",
    )


def _add_noise_model_argument(parser):
    parser.add_argument(
        "--noise-model",
        choices=noise.NOISE_MODELS,
        default="uniform_simplex",
        help="eq. 1 (default), another matrix, or idn (instance-dependent)",
    )


if __name__ == "__main__":
    main()
