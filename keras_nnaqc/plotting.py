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
    pyplot = _pyplot()
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
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    pyplot.close(figure)
    return path


def _pyplot():
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError(
            "Plotting needs matplotlib: `pip install keras-nnaqc[plot]`."
        ) from error
    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot
