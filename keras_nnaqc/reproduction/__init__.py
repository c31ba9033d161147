"""The paper's reproduction harness, behind `nnaqc run` and `nnaqc reproduce`.

One experiment (`run_experiment`), the resumable grid, paper-style tables and
figures, each dataset's training setting, the paper's own numbers, the demo
and the alpha/beta study. Not part of the library's API: the library
(`layers`, `losses`, `models`, `noise`, `methods`, `datasets`, `tuning`)
never imports it.
"""

from keras_nnaqc.reproduction.grid import run_grid
from keras_nnaqc.reproduction.grid import write_report
from keras_nnaqc.reproduction.paper_results import paper_error
from keras_nnaqc.reproduction.runner import load_noisy_data
from keras_nnaqc.reproduction.runner import run_experiment
from keras_nnaqc.reproduction.runner import true_transition
from keras_nnaqc.reproduction.settings import SETTINGS
from keras_nnaqc.reproduction.settings import get_setting
from keras_nnaqc.reproduction.tables import markdown_table
from keras_nnaqc.reproduction.tables import read_results
from keras_nnaqc.reproduction.tables import summarize

__all__ = [
    "run_grid",
    "write_report",
    "paper_error",
    "load_noisy_data",
    "run_experiment",
    "true_transition",
    "SETTINGS",
    "get_setting",
    "markdown_table",
    "read_results",
    "summarize",
]
