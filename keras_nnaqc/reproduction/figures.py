"""Figures made from the package's own results (needs matplotlib)."""

import numpy as np


def plot_transition_matrices(matrices, path, title=None):
    """Saves transition matrices side by side as annotated heatmaps.

    Args:
        matrices: A dict `{panel title: (L, L) matrix}`, row `i` being
            p(noisy label | clean label `i`).
        path: Where to write the figure (the extension picks the format).
        title: Optional title of the whole figure. Defaults to `None`.

    Returns:
        The path written.
    """
    pyplot = load_pyplot()
    figure, axes = pyplot.subplots(
        1, len(matrices), figsize=(4.2 * len(matrices), 4), squeeze=False
    )
    for axis, (name, matrix) in zip(axes[0], matrices.items(), strict=True):
        matrix = np.asarray(matrix)
        axis.imshow(matrix, vmin=0.0, vmax=1.0, cmap="viridis")
        if len(matrix) <= 12:
            for (row, column), value in np.ndenumerate(matrix):
                axis.text(
                    column,
                    row,
                    f"{value:.2f}"[1:] if value < 1 else "1",
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="white" if value < 0.5 else "black",
                )
        axis.set_title(name)
        axis.set_xlabel("noisy label")
        axis.set_ylabel("clean label")
    if title:
        figure.suptitle(title)
    return save_figure(figure, path)


def plot_error_vs_noise(summary, path, train_size, methods=None, title=None):
    """Saves clean test error against eq. 1 noise rate, one line per method.

    The error axis is logarithmic; error bars are one standard deviation
    over seeds, their lower half cut at half the mean so that it stays on
    the axis.

    Args:
        summary: `keras_nnaqc.reproduction.summarize` output, mapping
            `(method, train_size, noise)` to `(mean, std, seeds)`; columns
            of other noise (strings) are left out.
        path: Where to write the figure.
        train_size: The training-set size to plot.
        methods: Methods to draw, in legend order. Defaults to `None` (all).
        title: Optional title. Defaults to `None`.

    Returns:
        The path written.
    """
    pyplot = load_pyplot()
    if methods is None:
        methods = list(dict.fromkeys(key[0] for key in summary))
    figure, axis = pyplot.subplots(figsize=(8.5, 4.5))
    # tab20's ten dark colours, then their light twins: 20 distinct lines.
    tab20 = pyplot.get_cmap("tab20").colors
    colors = tab20[0::2] + tab20[1::2]
    for index, method in enumerate(methods):
        points = sorted(
            (rate, mean, std)
            for (name, size, rate), (mean, std, _) in summary.items()
            if name == method and size == train_size and isinstance(rate, float)
        )
        if not points:
            continue
        rates, means, stds = (np.array(v) for v in zip(*points, strict=True))
        axis.errorbar(
            100 * rates,
            means,
            yerr=(np.minimum(stds, means / 2), stds),
            color=colors[index % len(colors)],
            marker="osD^v<>"[index % 7],
            linestyle=("-", "--")[index % 2],
            markersize=4,
            capsize=2,
            label=method,
        )
    axis.set_yscale("log")
    axis.set_xlabel("label noise p (%)")
    axis.set_ylabel("clean test error (%)")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    if title:
        axis.set_title(title)
    return save_figure(figure, path)


def save_figure(figure, path):
    """Lays out, writes and closes a figure; returns the path."""
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    load_pyplot().close(figure)
    return path


def load_pyplot():
    """Matplotlib's pyplot on a file backend, or an ImportError saying how
    to install it."""
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError(
            "Plotting needs matplotlib: `pip install keras-nnaqc[plot]`."
        ) from error
    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot
