"""What the package's tests share: a test case, NumPy references, data.

Not part of the public API.
"""

from keras_nnaqc.testing.data_files import write_clothing1m
from keras_nnaqc.testing.data_files import write_image
from keras_nnaqc.testing.fixed_draws import LARGEST_DRAW
from keras_nnaqc.testing.fixed_draws import FixedDraws
from keras_nnaqc.testing.test_case import TestCase
from keras_nnaqc.testing.test_case import load_script
from keras_nnaqc.testing.test_case import mixed_precision
from keras_nnaqc.testing.test_case import numpy_softmax
from keras_nnaqc.testing.test_case import to_numpy
from keras_nnaqc.testing.test_case import two_classes_with_flips
