"""pyproject.toml and environment.yml must pin the same packages at the same versions."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for group in project["optional-dependencies"].values() for r in group]
    pins = {}
    for requirement in requirements:
        name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)==([0-9][^,;\s]*)", requirement).groups()
        assert normalise(name) not in pins, f"{name} is listed twice"
        pins[normalise(name)] = version
    return pins


def environment_pins() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert environment["channels"] == ["conda-forge"]
    pins = {}
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            for requirement in entry["pip"]:
                if not requirement.startswith("-"):
                    name, version = requirement.split("==")
                    pins[normalise(name)] = version
        elif entry.startswith("python="):
            assert entry == "python=3.11"
        elif entry != "pip":
            name, version = entry.split("=")
            pins[normalise(name)] = version
    return pins


def test_every_dependency_is_pinned_to_one_exact_version():
    assert len(pyproject_pins()) >= 10


def test_environment_yml_matches_pyproject():
    assert environment_pins() == pyproject_pins()


def test_course_packages_are_pinned_as_designed():
    pins = pyproject_pins()
    for name, series in {"tensorflow": "2.21", "keras": "3.15", "jupyterlab": "4.6", "ipywidgets": "8.1",
                         "matplotlib": "3.11", "nbval": "0.11"}.items():
        assert pins[name].startswith(series + "."), (name, pins[name])
