"""The `nnaqc` command line."""

import argparse


def main(argv=None):
    """Runs the `nnaqc` command: `nnaqc demo`, `nnaqc --help`."""
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
    demo.add_argument("--noise", type=float, default=0.5, help="rate p")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--output-dir", default="nnaqc-output")
    args = parser.parse_args(argv)

    if args.command == "demo":
        from keras_nnaqc.demo import run_demo

        run_demo(
            epochs=args.epochs,
            noise_rate=args.noise,
            seed=args.seed,
            output_dir=args.output_dir,
        )


if __name__ == "__main__":
    main()
