"""
Title: NNAQC on Clothing1M, real label noise at scale
Author: keras-nnaqc developers
Description: The paper's Table 4: an ImageNet-pretrained ResNet-50 on one
    million clothing images labelled from their shopping-site text.

Clothing1M is obtained from its authors and read from a local copy of the
release (`--data-dir`, holding `images/` and the label files). Three of the
paper's settings are available: `noisy` (the 1M noisy images), `clean` (the
50K clean training images) and `noisy_then_clean` (the 1M noisy images, then
fine-tuning on the 50K clean ones with cross-entropy, the paper's best).
The clean validation split monitors training; the clean test split scores.

```
python examples/clothing1m.py --data-dir ~/clothing1m --setting noisy_then_clean
```
"""

"""
## Setup
"""

import argparse
import math
import os
import sys

if "--backend" in sys.argv:
    os.environ["KERAS_BACKEND"] = sys.argv[sys.argv.index("--backend") + 1]

import example_utils

import keras_nnaqc

parser = example_utils.example_parser(
    "NNAQC on Clothing1M.", epochs=10, batch_size=32, noise_rate=0.0
)
parser.add_argument(
    "--setting", choices=["noisy", "clean", "noisy_then_clean"], default="noisy"
)
parser.add_argument(
    "--weights", default="imagenet", help="'imagenet' or 'none'"
)
parser.add_argument("--image-size", type=int, default=224)
args = parser.parse_args()

"""
## Data

Images are decoded and cropped in parallel and preprocessed as
`keras.applications.resnet50` expects (`"caffe"`).
"""

size = (args.image_size, args.image_size)


def split(name, **options):
    return keras_nnaqc.datasets.load(
        "clothing1m",
        split=name,
        noise_rate=args.noise if name.endswith("train") else 0.0,
        seed=args.seed,
        batch_size=args.batch_size,
        data_dir=args.data_dir,
        image_size=size,
        preprocessing="caffe",
        **options,
    )


validation, test = split("clean_val"), split("clean_test")
first = "clean_train" if args.setting == "clean" else "noisy_train"
train = split(first, train_size=args.train_size, augment=True)

"""
## Training

The paper follows Patrini et al., with a weight decay that depends on the
size of the training set. Chosen here: SGD with momentum 0.9, the learning
rate 1e-3 divided by 10 halfway, weight decay 1e-3 on the 1M noisy images
and 1e-2 on the 50K clean ones.
"""

weights = None if args.weights == "none" else args.weights
half = max(args.epochs // 2, 1)


def optimizer(dataset, decay):
    steps = math.ceil(len(dataset) / args.batch_size)
    return example_utils.stepwise_sgd((1e-3, 1e-4), (half,), steps, decay)


trained, _ = example_utils.train_and_report(
    args,
    f"clothing1m_{first}",
    lambda: keras_nnaqc.architectures.resnet50(
        input_shape=(*size, 3), weights=weights
    ),
    train,
    test,
    optimizer=optimizer(train, 1e-2 if first == "clean_train" else 1e-3),
    validation=validation,
)

"""
## Fine-tuning on the clean images

For `noisy_then_clean`, the model trained on noisy labels is fine-tuned on
the 50K clean training images with plain cross-entropy.
"""

if args.setting == "noisy_then_clean":
    clean = split("clean_train", augment=True)
    example_utils.train_and_report(
        argparse.Namespace(**{**vars(args), "method": "base"}),
        "clothing1m_noisy_then_clean",
        lambda: trained.model,
        clean,
        test,
        optimizer=optimizer(clean, 1e-2),
        validation=validation,
    )
