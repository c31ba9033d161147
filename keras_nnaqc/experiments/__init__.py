"""Experiments: one configuration, a resumable grid, and paper-style tables."""

from keras_nnaqc.experiments.grid import run_grid
from keras_nnaqc.experiments.grid import write_report
from keras_nnaqc.experiments.paper_results import paper_error
from keras_nnaqc.experiments.runner import load_noisy_data
from keras_nnaqc.experiments.runner import run_experiment
from keras_nnaqc.experiments.runner import true_transition
from keras_nnaqc.experiments.settings import SETTINGS
from keras_nnaqc.experiments.settings import get_setting
from keras_nnaqc.experiments.tables import markdown_table
from keras_nnaqc.experiments.tables import read_results
from keras_nnaqc.experiments.tables import summarize
