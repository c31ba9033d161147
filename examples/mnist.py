"""
Title: NNAQC on MNIST with injected label noise
Author: keras-nnaqc developers
Description: The paper's MNIST experiment: its CNN, eq. 1 noise, any method
    of the registry, and the examples whose labels look wrong.

A share `p` of the training labels is made wrong with the paper's noise model
(eq. 1). The paper's MNIST CNN is trained on them with the chosen method
(NNAQC by default), stopping on held-out *noisy* labels, then tested on the
clean test set. Finally the model ranks the training examples whose label it
disagrees with, and we check them against the flips we injected.

```
python examples/mnist.py --noise 0.5 --backend jax
python examples/mnist.py --data-dir path/to/mnist.npz   # offline
```
"""

"""
## Setup

Keras reads the backend when it is first imported, so `--backend` is applied
before anything else.
"""

import json
import os
import sys

if "--backend" in sys.argv:
    os.environ["KERAS_BACKEND"] = sys.argv[sys.argv.index("--backend") + 1]

import example_utils
import keras

import keras_nnaqc

parser = example_utils.example_parser("NNAQC on noisy MNIST.", epochs=20)
parser.add_argument("--show-issues", type=int, default=10)
args = parser.parse_args()

"""
## Noisy data

The noise is drawn once for the whole training split; a tenth of it, noisy
too, is held out to stop training when the validation accuracy stops
improving (`--patience`), since a user has no clean labels to do that with.
"""

train, validation, test = example_utils.load_splits(args, "mnist")

"""
## Training

The paper's MNIST CNN, trained with Adam (the setting of this package's
reproduction of the paper's table).
"""

trained, result = example_utils.train_and_report(
    args,
    "mnist",
    keras_nnaqc.architectures.mnist_cnn,
    train,
    test,
    optimizer=keras.optimizers.Adam(1e-3),
    validation=validation,
)

"""
## Finding the mislabelled examples

The clean prediction disagrees with some training labels; ranked by the
margin of that disagreement they are the likely label errors. Since we
injected the noise, we know which labels really are wrong.
"""

scores = trained.model.predict(train.ordered(), verbose=0)
probabilities = keras.ops.convert_to_numpy(keras.ops.softmax(scores))
issues = keras_nnaqc.models.find_label_issues(probabilities, train.noisy_labels)
flipped = train.clean_labels != train.noisy_labels
caught = flipped[issues.indices].sum()
precision = caught / max(len(issues), 1)
recall = caught / max(flipped.sum(), 1)
print(
    f"{len(issues)} examples flagged: precision {precision:.3f}, "
    f"recall {recall:.3f} against the injected flips"
)
with open(os.path.join(args.output_dir, "label_issues.jsonl"), "a") as file:
    file.write(
        json.dumps(
            {
                **result,
                "flagged": len(issues),
                "flipped": int(flipped.sum()),
                "flagged_precision": round(float(precision), 4),
                "flagged_recall": round(float(recall), 4),
            }
        )
        + "\n"
    )
for rank in range(min(args.show_issues, len(issues))):
    index = issues.indices[rank]
    print(
        f"  image {index}: labelled {issues.given_labels[rank]}, looks like "
        f"{issues.suggested_labels[rank]}, is {train.clean_labels[index]}"
    )
