"""
Title: NNAQC on ImageNet with sparse label noise
Author: keras-nnaqc developers
Description: The paper's ImageNet experiment (Table 3): an AlexNet whose
    first four convolutional blocks are transferred and frozen, with each
    class's wrong labels spread over 10 random other classes.

ImageNet must be downloaded by hand (after registering at image-net.org):
put `ILSVRC2012_img_train.tar` and `ILSVRC2012_img_val.tar` in the folder
given by `--manual-dir`. Keras ships no pre-trained AlexNet; `--weights`
takes a `.weights.h5` file of `keras_nnaqc.architectures.alexnet` (converted
from a released AlexNet) for the paper's frozen blocks. The top-5 error is
reported, as in the paper.

```
python examples/imagenet.py --noise 0.5 --manual-dir ~/imagenet \\
    --weights alexnet.weights.h5 --method regu_nnaqc
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
    "NNAQC on noisy ImageNet.", epochs=30, method="nnaqc"
)
parser.add_argument("--manual-dir", help="folder of the two ImageNet .tar")
parser.add_argument("--weights", help="AlexNet weights for the frozen blocks")
parser.add_argument("--image-size", type=int, default=227)
args = parser.parse_args()

"""
## Noisy data

TensorFlow Datasets prepares ImageNet once; the images are then decoded in
parallel, resized so their shorter side is 8/7 of the crop, and cropped
(randomly, with flips, for training). A hundredth of the noisy training set
is held out for validation.
"""

size = (args.image_size, args.image_size)
train, validation, test = example_utils.load_splits(
    args,
    "imagenet2012",
    test_split="validation",
    validation_split=0.01,
    manual_dir=args.manual_dir,
    image_size=size,
    augment=True,
)

"""
## Training

The paper trains the last convolutional block, the dense layers and the
noise head. Chosen here (the paper gives no schedule): SGD with momentum 0.9
and weight decay 5e-4, the learning rate 0.01 divided by 10 at epochs 10 and
20, as Krizhevsky et al. did.
"""

steps = math.ceil(len(train) / args.batch_size)
example_utils.train_and_report(
    args,
    "imagenet2012",
    lambda: keras_nnaqc.architectures.alexnet(
        input_shape=(*size, 3), weights=args.weights
    ),
    train,
    test,
    optimizer=example_utils.stepwise_sgd(
        (0.01, 0.001, 0.0001), (10, 20), steps, 5e-4
    ),
    validation=validation,
    top_k=5,
)
