import pathlib

from keras_nnaqc.reproduction.settings import SETTINGS
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import load_script

SCRIPT = pathlib.Path(__file__).parents[1] / "scripts" / "mnist_base_recipe.py"


class MnistBaseRecipeTest(TestCase):
    def test_each_recipe_changes_what_its_docstring_says(self):
        script = load_script(SCRIPT)
        shifting = SETTINGS["mnist_matconvnet"]
        setting, callbacks = script.recipe_setting("matconvnet_shift")
        self.assertTrue(setting is shifting and callbacks == [])
        shifted = setting.build_base_model(seed=0)
        # Up to 2 pixels, whole pixels equally likely: 2.5 / 28 each way.
        self.assertEqual(shifted.get_layer("shift").height_factor, 2.5 / 28)
        self.assertEqual(shifted.get_layer("shift").width_factor, 2.5 / 28)

        # The same network and training, without the shifts.
        setting, callbacks = script.recipe_setting("matconvnet_accuracy")
        self.assertEqual(
            (setting.monitor, setting.patience, setting.epochs, callbacks),
            (shifting.monitor, shifting.patience, shifting.epochs, []),
        )
        self.assertTrue(
            (setting.optimizer, setting.load)
            == (shifting.optimizer, shifting.load)
        )
        layers = setting.build_base_model(seed=0).layers
        self.assertEqual(
            [layer.__class__ for layer in layers],
            [layer.__class__ for layer in shifted.layers[1:]],
        )
        setting, _ = script.recipe_setting("matconvnet")
        self.assertEqual((setting.monitor, setting.patience), ("val_loss", 3))
        layers = setting.build_base_model(seed=0).layers
        self.assertTrue("shift" not in [layer.name for layer in layers])
        setting, callbacks = script.recipe_setting("accuracy_plateau")
        self.assertEqual(setting.optimizer, SETTINGS["mnist"].optimizer)
        self.assertEqual(callbacks[0].patience, 2)
