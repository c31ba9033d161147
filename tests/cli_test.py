"""The `nnaqc` command: its defaults, and bad flag values refused the way
argparse does."""

import pytest

from keras_nnaqc import cli


def refusal(argv, capsys):
    """The error line `nnaqc` prints for `argv`, after checking that it
    exits with status 2 and no traceback."""
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "Traceback" not in error
    return error.strip().splitlines()[-1]


class BadFlagValuesTest:
    @pytest.mark.parametrize("command", ["run", "tune", "demo"])
    @pytest.mark.parametrize("rate", ["1.5", "-0.1", "half"])
    def test_noise_outside_the_unit_interval(self, command, rate, capsys):
        line = refusal([command, "--noise", rate], capsys)
        assert line.startswith(f"nnaqc {command}: error: argument --noise:")
        assert f"[0, 1]. Received: '{rate}'" in line

    def test_every_rate_of_reproduce_is_checked(self, capsys):
        argv = ["reproduce", "--table", "mnist", "--noise", "0.3", "7"]
        line = refusal(argv, capsys)
        assert "argument --noise" in line and "'7'" in line

    @pytest.mark.parametrize(
        "argv,flag,allowed",
        [
            (["run", "--method", "foo"], "--method", "'nnaqc'"),
            (
                ["reproduce", "--table", "mnist", "--methods", "foo"],
                "--methods",
                "'gce'",
            ),
            (["run", "--noise-model", "foo"], "--noise-model", "'symmetric'"),
            (["tune", "--oracle", "foo"], "--oracle", "'bayesian'"),
        ],
    )
    def test_names_outside_the_known_set(self, argv, flag, allowed, capsys):
        line = refusal(argv, capsys)
        assert f"argument {flag}: invalid choice: 'foo'" in line
        assert allowed in line

    @pytest.mark.parametrize(
        "argv,named",
        [
            (["--table", "cifar10n", "--noise", "0.3"], "--noise 0.3"),
            (["--table", "mnist", "--label-sets", "worse"], "--table mnist"),
            (["--table", "cifar10n", "--label-sets", "worst"], "'worst'"),
        ],
    )
    def test_real_and_synthetic_noise_do_not_mix(self, argv, named, capsys):
        line = refusal(["reproduce", *argv, "--out-dir", "unused"], capsys)
        assert line.startswith("nnaqc reproduce: error:") and named in line

    def test_library_errors_become_one_line(self, capsys):
        line = refusal(["run", "--dataset", "foo"], capsys)
        assert line.startswith("nnaqc run: error:")
        assert "'foo'" in line and "mnist_subset" in line


class DefaultsTest:
    def test_run_trains_the_models_defaults(self, monkeypatch, capsys):
        import keras_nnaqc.reproduction as reproduction

        calls = []
        monkeypatch.setattr(
            reproduction,
            "run_experiment",
            lambda **kwargs: calls.append(kwargs) or {"test_error": 1.0},
        )
        cli.main(["run"])
        assert calls[0]["method"] == "nnaqc_balance"
        assert capsys.readouterr().out.strip() == '{"test_error": 1.0}'

    def test_run_experiment_trains_the_models_defaults(self):
        import inspect

        from keras_nnaqc.reproduction import run_experiment

        method = inspect.signature(run_experiment).parameters["method"]
        assert method.default == "nnaqc_balance"
