"""Reading the local `.npz` files of the paper's datasets."""

import pathlib

import numpy as np

# The arrays of `keras.datasets.mnist` / `cifar10` files.
KERAS_LAYOUT = ("x_train", "y_train", "x_test", "y_test")


def array_names(path, dataset, keys):
    """The names of the arrays in a local `.npz` file, which must exist.

    Args:
        path: The file.
        dataset: What the file should hold, for error messages.
        keys: The arrays expected, for error messages.

    Returns:
        A list of names.
    """
    path = pathlib.Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(
            f"No {dataset} file at {str(path)!r}: expected an .npz with "
            f"arrays {', '.join(keys)}."
        )
    with np.load(path) as data:
        return list(data.files)


def read_npz(path, dataset, keys):
    """Reads the arrays `keys` of a local `.npz` file.

    Args:
        path: The file.
        dataset: What the file should hold, for error messages.
        keys: The names of the arrays to read.

    Returns:
        For the keras.datasets layout, `((x_train, y_train), (x_test,
        y_test))` with labels of shape `(n,)`; else a dict of the arrays.
    """
    array_names(path, dataset, keys)
    with np.load(pathlib.Path(path).expanduser()) as data:
        missing = set(keys) - set(data.files)
        if missing:
            raise ValueError(
                f"{str(path)!r} is not a {dataset} file: it lacks "
                f"{sorted(missing)}. Received: arrays {sorted(data.files)}"
            )
        arrays = {key: data[key] for key in keys}
    if tuple(keys) != KERAS_LAYOUT:
        return arrays
    return (arrays["x_train"], arrays["y_train"].reshape(-1)), (
        arrays["x_test"],
        arrays["y_test"].reshape(-1),
    )
