"""
Title: NNAQC on CIFAR-100 with the LC-CNN or ResNet-44
Author: keras-nnaqc developers
Description: The paper's CIFAR-100 experiments (Table 2): a low-capacity CNN
    and a ResNet-44 on 100 classes with label noise.

With 100 classes the noise head has 10,000 parameters; the paper finds that
dropout on it (`--method regu_nnaqc`) helps most here. `--noise-model
grouped` keeps wrong labels within CIFAR-100's superclasses, a harder and
more realistic noise than eq. 1.

```
python examples/cifar100.py --model resnet44 --noise 0.3 --augment
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

# Without the class-balance term: batches of 100 hold fewer than five
# samples per class here, where it costs (results/many_classes/).
parser = example_utils.example_parser(
    "NNAQC on noisy CIFAR-100.", epochs=120, method="nnaqc"
)
parser.add_argument("--model", choices=["lc_cnn", "resnet44"], default="lc_cnn")
parser.add_argument(
    "--noise-model",
    choices=["uniform_simplex", "grouped"],
    default="uniform_simplex",
)
parser.add_argument("--augment", action="store_true", help="crops and flips")
args = parser.parse_args()

"""
## Noisy data
"""

train, validation, test = example_utils.load_splits(
    args, "cifar100", augment=args.augment, noise_model=args.noise_model
)

"""
## Training

For ResNet-44 the paper follows Patrini et al.: SGD with momentum 0.9, the
learning rate 0.1 divided by 10 at epochs 40 and 80 (weight decay 1e-4 is in
the model). The paper gives no schedule for the LC-CNN; it gets the same one
started at 0.01.
"""

steps = math.ceil(len(train) / args.batch_size)
first_rate = 0.1 if args.model == "resnet44" else 0.01
example_utils.train_and_report(
    args,
    "cifar100",
    getattr(keras_nnaqc.architectures, args.model),
    train,
    test,
    optimizer=example_utils.stepwise_sgd(
        (first_rate, first_rate / 10, first_rate / 100), (40, 80), steps
    ),
    validation=validation,
)
