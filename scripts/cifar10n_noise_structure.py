"""Is CIFAR-10N's human noise class-conditional? A test on its three labels.

Each CIFAR-10N training image was labelled by three annotators
(`random_label1..3`). Were their mistakes class-conditional, as NNAQC and
every transition-matrix method assume, whether an annotator errs would
depend on the image's class alone: two annotators would both err on an
image of class `c` with probability `p1(c) * p2(c)`, and all three with
`p1(c) * p2(c) * p3(c)`. This script compares those products with what the
annotators did, class by class, and how often two who both err agree on
the wrong label with what their transition matrices predict. Prints a
Markdown report.

    python scripts/cifar10n_noise_structure.py ../shared/data/cifar10n.npz
"""

import argparse
import itertools

import numpy as np

from keras_nnaqc import noise

ANNOTATORS = ("random_label1", "random_label2", "random_label3")
CLASSES = "airplane automobile bird cat deer dog frog horse ship truck".split()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", help="cifar10n.npz")
    args = parser.parse_args()
    with np.load(args.labels) as file:
        clean = file["clean_label"].astype(int)
        given = [file[name].astype(int) for name in ANNOTATORS]
    wrong = np.stack([labels != clean for labels in given])
    print(
        "| class | wrong, each annotator (%) | two both wrong: "
        "observed / if class-conditional (%) | all three: observed / "
        "if class-conditional (%) |"
    )
    print("| --- | --- | --- | --- |")
    pairs = list(itertools.combinations(range(3), 2))
    totals = np.zeros(4)
    for label, name in enumerate(CLASSES):
        rows = clean == label
        rates = wrong[:, rows].mean(axis=1)
        both = np.mean(
            [np.mean(wrong[a, rows] & wrong[b, rows]) for a, b in pairs]
        )
        both_expected = np.mean([rates[a] * rates[b] for a, b in pairs])
        three = np.mean(wrong[:, rows].all(axis=0))
        totals += rows.sum() * np.array(
            [both, both_expected, three, rates.prod()]
        )
        print(
            f"| {name} | {' / '.join(f'{100 * r:.1f}' for r in rates)} | "
            f"{100 * both:.2f} / {100 * both_expected:.2f} | "
            f"{100 * three:.2f} / {100 * rates.prod():.3f} |"
        )
    totals /= len(clean)
    print(
        f"| all | {' / '.join(f'{100 * r:.1f}' for r in wrong.mean(axis=1))} "
        f"| {100 * totals[0]:.2f} / {100 * totals[1]:.2f} "
        f"(x{totals[0] / totals[1]:.1f}) | {100 * totals[2]:.2f} / "
        f"{100 * totals[3]:.3f} (x{totals[2] / totals[3]:.1f}) |"
    )
    # When two annotators both err, how often do they pick the same wrong
    # class, against the chance their (class-conditional) matrices give?
    same, expected = [], []
    for a, b in pairs:
        matrices = [
            noise.empirical_transition(clean, given[k], 10) for k in (a, b)
        ]
        both = wrong[a] & wrong[b]
        same.append(np.mean(given[a][both] == given[b][both]))
        off = [m * (1 - np.eye(10)) for m in matrices]
        agree = (off[0] * off[1]).sum(axis=1)
        chance = agree / (off[0].sum(axis=1) * off[1].sum(axis=1))
        weights = np.bincount(clean[both], minlength=10)
        expected.append(np.sum(chance * weights) / weights.sum())
    print(
        f"\nTwo annotators who both err pick the same wrong class "
        f"{100 * np.mean(same):.1f}% of the time; class-conditional noise "
        f"with their own matrices gives {100 * np.mean(expected):.1f}%."
    )


if __name__ == "__main__":
    main()
