"""How concentrated each noise model's wrong labels are, as the runner draws
them.

For the noisy labels `load_noisy_data` draws (seed 0), the share of a
class's wrong labels that go to its most frequent wrong class, averaged
over classes: 1/9 = 0.111 if they spread evenly over the other nine
classes, 1 for pair noise. Instance-dependent noise (IDN) is shown on the
images it projects (the stored pixel values, as Xia et al.'s code) and,
for CIFAR-10, on the whitened images the model is fed. Prints a Markdown
table.

    python scripts/noise_concentration.py --mnist mnist.npz \\
        --cifar10 CIFAR10.npz > results/realistic_noise/noise_concentration.md
"""

import argparse

import numpy as np

from keras_nnaqc import noise
from keras_nnaqc.datasets import add_noise
from keras_nnaqc.reproduction.runner import load_noisy_data

NOISE = [("idn", 0.4), ("pair", 0.45), ("symmetric", 0.5)]


def concentration(clean, noisy, num_classes=10):
    """How concentrated the wrong labels are.

    Args:
        clean: Integer clean labels.
        noisy: Integer noisy labels; every class needs a wrong one (else
            its share is NaN).
        num_classes: Number of classes. Defaults to `10`.

    Returns:
        `(share, diagonal)`: the mean over classes of the share of a
        class's wrong labels its most frequent wrong class takes, and the
        mean diagonal of the clean-to-noisy matrix.
    """
    matrix = noise.empirical_transition(clean, noisy, num_classes)
    wrong = matrix - np.diag(np.diag(matrix))
    return (wrong.max(1) / wrong.sum(1)).mean(), np.diag(matrix).mean()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", required=True)
    parser.add_argument("--cifar10", required=True)
    args = parser.parse_args()
    print("| dataset | images | noise | top wrong class's share | diagonal |")
    print("| --- | --- | --- | --- | --- |")
    for dataset, path, size in [
        ("mnist", args.mnist, 60000),
        ("cifar10", args.cifar10, 10000),
    ]:
        for model, rate in NOISE:
            data = load_noisy_data(
                dataset, rate, size, 0, model, data_path=path
            )
            rows = [("", data["noisy_labels"])]
            if model == "idn" and dataset == "cifar10":
                whitened, _ = add_noise(
                    data["y_train"], 10, rate, "idn", 0,
                    features=data["x_train"],
                )  # fmt: skip
                rows.append((", whitened images", whitened))
            for suffix, noisy in rows:
                share, diagonal = concentration(data["y_train"], noisy)
                print(
                    f"| {dataset} | {size:,} | {model} {rate:.0%}{suffix} | "
                    f"{share:.3f} | {diagonal:.3f} |"
                )


if __name__ == "__main__":
    main()
