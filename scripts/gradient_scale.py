"""How strongly the NNAQC loss drives the base model, against cross-entropy,
at the start of training (PyTorch backend).

    KERAS_BACKEND=torch python scripts/gradient_scale.py \\
        --dataset cifar10 --data CIFAR10.npz --noise 0.5

Builds the setting's base model (as `nnaqc reproduce` does, seed 0), takes
its first `--batch` noisy training images and prints, for each kernel, the
norm of the gradient of the NNAQC loss (alpha 0.9, the head started at
`W = gain * I`, beta 0 as at the start of the package's warm-up and 0.9)
divided by the norm of the gradient of plain cross-entropy on the same
labels. Under SGD that ratio is how much slower NNAQC trains the base
model at first; Adam divides it out.
"""

import argparse

import keras
import numpy as np
import torch

from keras_nnaqc.layers import NoiseAdaptationLayer
from keras_nnaqc.models import NoisyLabelModel
from keras_nnaqc.reproduction.runner import load_noisy_data
from keras_nnaqc.reproduction.settings import get_setting


def kernel_gradient_norms(model, loss):
    """Norm of the gradient of `loss` for each kernel of `model`."""
    kernels = [
        v for v in model.trainable_variables if v.path.endswith("kernel")
    ]
    gradients = torch.autograd.grad(
        loss, [v.value for v in kernels], retain_graph=True
    )
    return {
        v.path.split("/")[-2]: float(g.norm())
        for v, g in zip(kernels, gradients, strict=True)
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--data", default=None)
    parser.add_argument("--noise", type=float, default=0.5)
    parser.add_argument("--train-size", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--gains", type=float, nargs="+", default=[1, 2, 5])
    args = parser.parse_args()
    if keras.backend.backend() != "torch":
        parser.error("run with KERAS_BACKEND=torch")

    setting = get_setting(args.dataset)
    data = load_noisy_data(
        args.dataset, args.noise, args.train_size, 0, data_path=args.data
    )
    x = data["x_train"][: args.batch]
    y = data["noisy_labels"][: args.batch]
    keras.utils.set_random_seed(0)
    base = setting.build_base_model(seed=0)
    logits = base(x, training=True)
    plain = kernel_gradient_norms(
        base,
        keras.ops.mean(
            keras.losses.sparse_categorical_crossentropy(
                y, logits, from_logits=True
            )
        ),
    )
    print("plain cross-entropy, gradient norm per kernel:")
    print("  " + "  ".join(f"{k} {v:.3g}" for k, v in plain.items()))
    print("NNAQC (alpha 0.9) / plain, per kernel:")
    for gain in args.gains:
        head = NoiseAdaptationLayer(
            kernel_initializer=keras.initializers.Identity(gain)
        )
        for beta in (0.0, 0.9):
            model = NoisyLabelModel(
                base,
                alpha=0.9,
                beta=beta,
                noise_layer=head,
                beta_warmup_epochs=0,
                balance=0,
            )
            model.build(x.shape)
            loss = model.compute_loss(x, y, logits)
            ratios = {
                k: v / plain[k]
                for k, v in kernel_gradient_norms(base, loss).items()
            }
            print(
                f"  W = {gain:g} I, beta {beta}: "
                + "  ".join(f"{k} {v:.3f}" for k, v in ratios.items())
                + f"  (mean {np.mean(list(ratios.values())):.3f})"
            )


if __name__ == "__main__":
    main()
