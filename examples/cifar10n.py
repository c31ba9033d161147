"""
Title: NNAQC on CIFAR-10N, real human label noise
Author: keras-nnaqc developers
Description: Beyond the paper: CIFAR-10 relabelled by crowd workers, whose
    mistakes follow the images, not a transition matrix.

CIFAR-10N gives every training image three workers' labels. `--labels`
picks which noisy labels to train on: `aggre` (majority vote, about 9%
wrong), `random1`-`random3` (one worker, about 17%) or `worse` (a wrong one
whenever there is one, about 40%). The test set is the clean CIFAR-10 test
set.

```
python examples/cifar10n.py --labels worse --model resnet44 --augment
```
"""

"""
## Setup
"""

import math
import os
import sys

if "--backend" in sys.argv:
    os.environ["KERAS_BACKEND"] = sys.argv[sys.argv.index("--backend") + 1]

import example_utils

import keras_nnaqc

parser = example_utils.example_parser(
    "NNAQC on CIFAR-10N's human labels.", epochs=120, noise_rate=0.0
)
parser.add_argument(
    "--labels",
    choices=["aggre", "random1", "random2", "random3", "worse"],
    default="worse",
)
parser.add_argument(
    "--model", choices=["cifar10_cnn", "resnet44"], default="cifar10_cnn"
)
parser.add_argument("--augment", action="store_true", help="crops and flips")
args = parser.parse_args()

"""
## Human noisy labels
"""

train, validation, test = example_utils.load_splits(
    args, "cifar10_n", noisy_label=args.labels, augment=args.augment
)

"""
## Training

ResNet-44 with Patrini et al.'s schedule; the smaller CNN with the same
schedule started at 0.01.
"""

steps = math.ceil(len(train) / args.batch_size)
first_rate = 0.1 if args.model == "resnet44" else 0.01


def build_base_model():
    if args.model == "resnet44":
        return keras_nnaqc.architectures.resnet44(num_classes=10)
    return keras_nnaqc.architectures.cifar10_cnn()


example_utils.train_and_report(
    args,
    f"cifar10_n_{args.labels}",
    build_base_model,
    train,
    test,
    optimizer=example_utils.stepwise_sgd(
        (first_rate, first_rate / 10, first_rate / 100), (40, 80), steps
    ),
    validation=validation,
)
