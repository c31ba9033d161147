"""MkDocs hook: warns about public symbols without Keras-style docstrings.

Under `mkdocs build --strict` a warning fails the build, so a public class
or function cannot ship without a summary line, and an `Args:` entry for
each parameter that says what its default is.
"""

import dataclasses
import inspect
import logging
import re

log = logging.getLogger("mkdocs.plugins.keras_nnaqc")

MODULES = (
    "keras_nnaqc",
    "keras_nnaqc.layers",
    "keras_nnaqc.losses",
    "keras_nnaqc.models",
    "keras_nnaqc.noise",
    "keras_nnaqc.methods",
    "keras_nnaqc.architectures",
    "keras_nnaqc.datasets",
    "keras_nnaqc.reproduction",
    "keras_nnaqc.tuning",
)
# Arguments documented by Keras itself rather than by each subclass.
INHERITED = {"self", "kwargs", "args", "name", "dtype", "reduction", "hp"}


def on_pre_build(config):
    for problem in docstring_problems():
        log.warning(problem)


def docstring_problems():
    import importlib

    seen = set()
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if name.startswith("_") or id(value) in seen:
                continue
            if not (inspect.isclass(value) or inspect.isfunction(value)):
                continue
            if not getattr(value, "__module__", "").startswith("keras_nnaqc"):
                continue
            seen.add(id(value))
            yield from _problems(f"{module_name}.{name}", value)


def _problems(path, value):
    doc = inspect.getdoc(value) or ""
    if not doc.strip():
        yield f"{path} has no docstring"
        return
    target = value.__init__ if inspect.isclass(value) else value
    if inspect.isclass(value) and target is object.__init__:
        return
    try:
        parameters = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):
        return
    section = "Attributes" if dataclasses.is_dataclass(value) else "Args"
    documented = _entries(doc, section)
    for parameter in parameters:
        if parameter.name in INHERITED:
            continue
        if parameter.name not in documented:
            yield f"{path}: argument `{parameter.name}` is not in {section}"
        elif (
            section == "Args"
            and parameter.default is not inspect.Parameter.empty
            and "default" not in documented[parameter.name].lower()
        ):
            yield f"{path}: `{parameter.name}` does not state its default"


def _entries(doc, section):
    """The entries of a Google-style docstring section, by name."""
    match = re.search(rf"^{section}:\n(.*?)(?=^\S|\Z)", doc, re.M | re.S)
    if not match:
        return {}
    entries, current = {}, None
    for line in match.group(1).splitlines():
        entry = re.match(r"^ {4}(\*{0,2}\w+): ?(.*)", line)
        if entry:
            current = entry.group(1).lstrip("*")
            entries[current] = entry.group(2)
        elif current:
            entries[current] += " " + line.strip()
    return entries
