"""Every method the paper compares, by stable name, on one base model."""

import keras

from keras_nnaqc import noise
from keras_nnaqc.layers import NoiseAdaptationLayer
from keras_nnaqc.losses import BackwardCorrectedLoss
from keras_nnaqc.losses import BootstrapLoss
from keras_nnaqc.methods.method import Method
from keras_nnaqc.models import NoisyLabelModel
from keras_nnaqc.models.beta_warmup import BETA_WARMUP_EPOCHS
from keras_nnaqc.models.default_noise_head import HEAD_SPEED

# Settings the paper does not state, chosen here and documented with them.
TRACE_PENALTY = 0.1
TRACE_INITIAL_DIAGONAL = 0.9
DROPOUT_RATE = 0.5
GCE_Q = 0.7


def _cross_entropy():
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def _plain(base_model, num_classes, transition):
    return base_model, _cross_entropy()


def _noise_aware(
    noise_layer=None, alpha=0.9, beta=0.9, fixed=False, warmup=0, balance=0.0
):
    """A NoisyLabelModel method; the head is built from the transition given
    (fixed, linear) when `fixed`, else by `noise_layer(num_classes)`, a
    layer or a head name."""

    def build(base_model, num_classes, transition):
        if fixed:
            head = NoiseAdaptationLayer.from_transition_matrix(
                transition, mode="linear", trainable=False
            )
        else:
            head = noise_layer(num_classes)
        model = NoisyLabelModel(
            base_model,
            noise_layer=head,
            alpha=alpha,
            beta=beta,
            from_logits=True,
            beta_warmup_epochs=warmup,
            balance=balance,
        )
        return model, None

    return build


# NoisyLabelModel's defaults: the nonlinear head (its speed and constraint),
# the beta warm-up and the class-balance term; 0.1's had no balance term.
_package_defaults = _noise_aware(
    lambda num_classes: "nonlinear", warmup=BETA_WARMUP_EPOCHS, balance=1.0
)
_defaults_of_0_1 = _noise_aware(
    lambda num_classes: "nonlinear", warmup=BETA_WARMUP_EPOCHS
)


def _nonlinear_head(num_classes):
    return NoiseAdaptationLayer(mode="nonlinear")


def _trace_head(num_classes):
    # Sukhbaatar et al. start from the identity; a softmax-parameterised
    # matrix can only approach it, here with 0.9 on the diagonal.
    start = noise.symmetric(num_classes, 1.0 - TRACE_INITIAL_DIAGONAL)
    return NoiseAdaptationLayer.from_transition_matrix(
        start, mode="linear", trace_penalty=TRACE_PENALTY
    )


def _bootstrap(beta, mode):
    def build(base_model, num_classes, transition):
        return base_model, BootstrapLoss(beta, mode, from_logits=True)

    return build


def _backward(base_model, num_classes, transition):
    return base_model, BackwardCorrectedLoss(transition, from_logits=True)


def _generalized_cross_entropy(base_model, num_classes, transition):
    model = keras.Sequential([base_model, keras.layers.Softmax()])
    loss = keras.losses.CategoricalGeneralizedCrossEntropy(q=GCE_Q)
    return model, loss


_METHODS = [
    Method(
        "base",
        "the plain model, cross-entropy on the noisy labels",
        "the paper's 'base model'",
        _plain,
    ),
    Method(
        "genie",
        "a fixed linear noise layer set to the true transition matrix",
        "the paper's 'genie-aided' model",
        _noise_aware(alpha=1.0, fixed=True),
        transition="true",
    ),
    Method(
        "genie_qc",
        "genie-aided, trained with the NNAQC loss (alpha = beta = 0.9)",
        "the paper's 'genie-aided (QC)'",
        _noise_aware(fixed=True),
        transition="true",
    ),
    Method(
        "trace",
        f"learned linear noise layer, trace penalty {TRACE_PENALTY}",
        "Sukhbaatar et al., 2015, arXiv:1406.2080",
        _noise_aware(_trace_head, alpha=1.0),
    ),
    Method(
        "dropout",
        f"learned linear noise layer with input dropout {DROPOUT_RATE}",
        "Jindal et al., 2016, arXiv:1705.03419",
        _noise_aware(
            lambda num_classes: NoiseAdaptationLayer(
                mode="linear", dropout=DROPOUT_RATE
            ),
            alpha=1.0,
        ),
    ),
    Method(
        "bootstrap_soft",
        "soft bootstrapping, beta = 0.95",
        "Reed et al., 2015, arXiv:1412.6596",
        _bootstrap(0.95, "soft"),
    ),
    Method(
        "bootstrap_hard",
        "hard bootstrapping, beta = 0.8",
        "Reed et al., 2015, arXiv:1412.6596",
        _bootstrap(0.8, "hard"),
    ),
    Method(
        "forward",
        "F-correction: train base, estimate T by anchor points, retrain "
        "with the fixed forward-corrected loss",
        "Patrini et al., 2017, arXiv:1609.03683",
        _noise_aware(alpha=1.0, fixed=True),
        transition="estimated",
    ),
    Method(
        "backward",
        "backward correction with the anchor-point estimate of T",
        "Patrini et al., 2017, arXiv:1609.03683",
        _backward,
        transition="estimated",
    ),
    Method(
        "nna",
        "nonlinear noise head, noise-aware term only (alpha = 1)",
        "the paper's Table 5",
        _noise_aware(_nonlinear_head, alpha=1.0),
    ),
    Method(
        "qc",
        "quasi-clustering term only (alpha = 0, beta = 0.9)",
        "the paper's Table 5",
        _noise_aware(_nonlinear_head, alpha=0.0),
    ),
    Method(
        "nnaqc",
        "NNAQC, alpha = beta = 0.9, as NoisyLabelModel trains it without "
        f"the balance term (0.1's defaults): beta ramped from 0 over the "
        f"first {BETA_WARMUP_EPOCHS} epochs, the head {HEAD_SPEED:g}x as "
        "fast and kept diagonally dominant",
        "the paper, section 3, with this package's training aids",
        _defaults_of_0_1,
    ),
    Method(
        "nnaqc_paper",
        "NNAQC as the paper trains it: alpha = beta = 0.9 throughout",
        "the paper, section 3",
        _noise_aware(_nonlinear_head),
    ),
    Method(
        "regu_nnaqc",
        f"NNAQC with input dropout {DROPOUT_RATE} on the noise head",
        "the paper's 'Regu. NNAQC'",
        _noise_aware(
            lambda num_classes: NoiseAdaptationLayer(
                mode="nonlinear", dropout=DROPOUT_RATE
            )
        ),
    ),
    Method(
        "gce",
        f"generalized cross-entropy (Keras core), q = {GCE_Q}",
        "Zhang and Sabuncu, 2018, arXiv:1805.07836",
        _generalized_cross_entropy,
    ),
    Method(
        "confident_learning",
        "confident learning: cleanlab's find_label_issues on 5-fold "
        "cross-validated probabilities of the base model, then the base "
        "model retrained on the rest (hold-out cleaned alike)",
        "Northcutt et al., 2021, arXiv:1911.00068 (cleanlab)",
        _plain,
        prune="confident_learning",
    ),
    Method(
        "nnaqc_prune",
        "NNAQC, then NNAQC again without the labels its label_issues "
        "flags (hold-out cleaned alike)",
        "this package: a user's workflow",
        _defaults_of_0_1,
        prune="label_issues",
    ),
    Method(
        "nnaqc_balance",
        "NNAQC as NoisyLabelModel trains it by default: nnaqc plus the "
        "class-balance term (balance=1), KL(uniform || batch mean of the "
        "clean prediction)",
        "this package; the term is Tanaka et al., 2018, arXiv:1803.11364",
        _package_defaults,
    ),
    Method(
        "nnaqc_balance_prune",
        "nnaqc_balance (NoisyLabelModel's defaults), then nnaqc_balance "
        "again without the labels its label_issues flags (hold-out "
        "cleaned alike)",
        "this package: a user's workflow",
        _package_defaults,
        prune="label_issues",
    ),
]

METHODS = {method.name: method for method in _METHODS}


def names():
    """The names of every registered method, in the paper's table order."""
    return list(METHODS)


def get(name):
    """The `Method` registered under `name`.

    Args:
        name: One of `names()`.

    Returns:
        A `Method`.
    """
    if name not in METHODS:
        raise ValueError(
            f"Unknown method {name!r}. Valid methods: {', '.join(METHODS)}. "
            f"Received: name={name!r}"
        )
    return METHODS[name]
