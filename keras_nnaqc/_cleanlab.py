"""cleanlab, an optional dependency (`keras-nnaqc[cleanlab]`)."""


def import_cleanlab_filter(needed_by):
    """cleanlab's `filter` module, or an `ImportError` saying that
    `needed_by` needs it and how to install it."""
    try:
        from cleanlab import filter as cleanlab_filter
    except ImportError as error:
        raise ImportError(
            f"{needed_by} needs cleanlab: `pip install keras-nnaqc[cleanlab]`."
        ) from error
    return cleanlab_filter
