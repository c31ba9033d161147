import pathlib

from keras_nnaqc.reproduction.settings import SETTINGS
from keras_nnaqc.testing import TestCase
from keras_nnaqc.testing import load_script

SCRIPT = pathlib.Path(__file__).parents[1] / "scripts" / "mnist_base_recipe.py"


class MnistBaseRecipeTest(TestCase):
    def test_each_recipe_changes_what_its_docstring_says(self):
        script = load_script(SCRIPT)
        matconvnet = SETTINGS["mnist_matconvnet"]
        setting, callbacks = script.recipe_setting("matconvnet_accuracy")
        self.assertTrue(setting is matconvnet and callbacks == [])
        setting, _ = script.recipe_setting("matconvnet")
        self.assertEqual((setting.monitor, setting.patience), ("val_loss", 3))
        setting, callbacks = script.recipe_setting("accuracy_plateau")
        self.assertEqual(setting.optimizer, SETTINGS["mnist"].optimizer)
        self.assertEqual(callbacks[0].patience, 2)

        setting, callbacks = script.recipe_setting("matconvnet_shift")
        self.assertEqual(
            (setting.monitor, setting.patience, setting.epochs, callbacks),
            (matconvnet.monitor, matconvnet.patience, matconvnet.epochs, []),
        )
        model = setting.build_base_model(seed=0)
        # Up to 2 pixels, whole pixels equally likely: 2.5 / 28 each way.
        self.assertEqual(model.get_layer("shift").height_factor, 2.5 / 28)
        self.assertEqual(model.get_layer("shift").width_factor, 2.5 / 28)
        plain = matconvnet.build_base_model(seed=0)
        self.assertEqual(model.count_params(), plain.count_params())
