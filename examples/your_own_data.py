"""
Title: Your own image folder, with labels you do not fully trust
Author: keras-nnaqc developers
Description: Wrap any `keras.applications` model in `NoisyLabelModel`,
    train it on a folder of images, and list the labels that look wrong.

The folder holds one subfolder per class, as for
`keras.utils.image_dataset_from_directory`. A fifth of it is held out to
score the model against the labels as given (noisy ones, if yours are).
Models that include their own preprocessing (EfficientNet, EfficientNetV2,
ConvNeXt) take the images as they are; for ResNet-style models pass
`--preprocessing caffe`.

```
python examples/your_own_data.py path/to/images --application EfficientNetV2B0
```
"""

"""
## Setup
"""

import os
import sys

if "--backend" in sys.argv:
    os.environ["KERAS_BACKEND"] = sys.argv[sys.argv.index("--backend") + 1]

import example_utils
import keras

import keras_nnaqc

parser = example_utils.example_parser(
    "NNAQC on an image folder.", epochs=10, batch_size=32, noise_rate=0.0
)
parser.add_argument("directory", help="one subfolder of images per class")
parser.add_argument("--application", default="EfficientNetV2B0")
parser.add_argument(
    "--weights", default="imagenet", help="'imagenet' or 'none'"
)
parser.add_argument("--image-size", type=int, default=224)
parser.add_argument("--preprocessing", choices=["caffe"], default=None)
parser.add_argument("--show-issues", type=int, default=10)
args = parser.parse_args()

"""
## Data

`--noise` can add synthetic noise to your labels, to see what NNAQC does
with it; by default the labels are used as they are.
"""

size = (args.image_size, args.image_size)
common = {
    "image_size": size,
    "noise_rate": args.noise,
    "seed": args.seed,
    "batch_size": args.batch_size,
    "validation_split": 0.2,
    "preprocessing": args.preprocessing,
}
train = keras_nnaqc.datasets.load_image_directory(
    args.directory, subset="training", augment=True, **common
)
held_out = keras_nnaqc.datasets.load_image_directory(
    args.directory, subset="validation", **common
)
print(f"Classes: {', '.join(train.class_names)}")

"""
## The model

Any application from `keras.applications`, pre-trained on ImageNet, with a
new dense layer for your classes.
"""


def build_base_model():
    application = getattr(keras.applications, args.application)(
        include_top=False,
        weights=None if args.weights == "none" else args.weights,
        input_shape=(*size, 3),
        pooling="avg",
    )
    outputs = keras.layers.Dense(train.num_classes)(application.output)
    return keras.Model(application.input, outputs)


trained, _ = example_utils.train_and_report(
    args,
    os.path.basename(os.path.normpath(args.directory)),
    build_base_model,
    train,
    held_out,
    optimizer=keras.optimizers.Adam(1e-4),
)

"""
## The labels that look wrong

The training images whose label the clean prediction disagrees with most.
"""

scores = trained.model.predict(train.ordered(), verbose=0)
probabilities = keras.ops.convert_to_numpy(keras.ops.softmax(scores))
issues = keras_nnaqc.models.find_label_issues(probabilities, train.noisy_labels)
print(f"{len(issues)} of {len(train)} training labels look wrong; the first:")
for rank in range(min(args.show_issues, len(issues))):
    given = train.class_names[issues.given_labels[rank]]
    suggested = train.class_names[issues.suggested_labels[rank]]
    path = train.paths[issues.indices[rank]]
    print(f"  {path}: labelled {given}, looks like {suggested}")
