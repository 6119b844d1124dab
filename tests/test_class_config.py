"""class/z2jh-config.yaml against the Zero to JupyterHub chart's values schema, as Helm checks it.

Helm merges a user's values over the chart's default values (``values.yaml``) and validates the result
against the chart's ``values.schema.yaml`` before it renders anything; the schema forbids keys it does
not know (``additionalProperties: false``), so a misspelt key stops ``helm upgrade --install``. These
tests do the same here, without a cluster or Helm: the course's values pass, and a misspelt key or a
value of the wrong type fails with a message that names it.

The schema and defaults are the chart's own files, kept beside the checkout in ``../shared/z2jh``
(its README.md says which commit of the chart they come from).
"""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest
import yaml

from course_utils import PROJECT_ROOT

Z2JH = PROJECT_ROOT.parent / "shared" / "z2jh"
CONFIG = PROJECT_ROOT / "class" / "z2jh-config.yaml"


def helm_merge(defaults: dict, values: dict) -> dict:
    """``values`` over ``defaults`` as Helm coalesces user values over a chart's: maps are merged key by key,
    anything else (a list, a string, a number) replaces the default, and a null removes the key."""
    merged = copy.deepcopy(defaults)
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def schema_errors(values: dict, folder: Path = Z2JH) -> list[str]:
    """What the chart's schema finds wrong with ``values`` merged over the chart's defaults, one line per
    error ("singleuser.image: ..."), in the order of their paths; empty when Helm would accept them."""
    schema = yaml.safe_load((folder / "values.schema.yaml").read_text())
    defaults = yaml.safe_load((folder / "values.yaml").read_text())
    validator_class = jsonschema.validators.validator_for(schema)  # the schema's $schema: Draft 7
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(helm_merge(defaults, values)),
                    key=lambda error: [str(part) for part in error.absolute_path])
    return [f"{'.'.join(str(part) for part in error.absolute_path) or '(top level)'}: {error.message}"
            for error in errors]


@pytest.fixture(scope="module")
def config() -> dict:
    if not (Z2JH / "values.schema.yaml").is_file() or not (Z2JH / "values.yaml").is_file():
        pytest.skip(f"the Zero to JupyterHub chart's values.schema.yaml and values.yaml are missing: copy them "
                    f"from the chart (github.com/jupyterhub/zero-to-jupyterhub-k8s, folder jupyterhub/) into {Z2JH}")
    return yaml.safe_load(CONFIG.read_text())


def with_value(values: dict, path: str, value) -> dict:
    """A copy of ``values`` with ``value`` at the dotted ``path`` (maps made on the way where missing)."""
    changed = copy.deepcopy(values)
    *parents, last = path.split(".")
    node = changed
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return changed


def renamed(values: dict, parent: str, key: str, new_key: str) -> dict:
    """A copy of ``values`` whose ``key`` in the map at the dotted ``parent`` path is called ``new_key``."""
    changed = copy.deepcopy(values)
    node = changed
    for part in parent.split("."):
        node = node[part]
    node[new_key] = node.pop(key)
    return changed


def test_the_class_values_pass_the_chart_schema(config):
    assert schema_errors(config) == []


def test_a_misspelt_top_level_key_fails(config):
    misspelt = {("singleusr" if key == "singleuser" else key): value for key, value in config.items()}
    errors = schema_errors(misspelt)
    assert len(errors) == 1 and errors[0].startswith("(top level): "), errors
    assert "'singleusr' was unexpected" in errors[0]


@pytest.mark.parametrize("parent, key, misspelt", [
    ("singleuser", "image", "imagee"),
    ("hub", "config", "confg"),
    ("singleuser.memory", "limit", "limt"),
    ("singleuser.storage", "extraVolumes", "extraVolume"),
])
def test_a_misspelt_nested_key_fails(config, parent, key, misspelt):
    errors = schema_errors(renamed(config, parent, key, misspelt))
    assert errors, f"{parent}.{misspelt} passed"
    assert any(error.startswith(f"{parent}: ") and f"'{misspelt}' was unexpected" in error for error in errors), errors


@pytest.mark.parametrize("path, value, expected", [
    ("cull.timeout", "an hour", "'an hour' is not of type 'integer', 'null'"),
    ("singleuser.image", "mnist-cnn-course:latest", "'mnist-cnn-course:latest' is not of type 'object'"),
    ("hub.config.NativeAuthenticator", 8, "8 is not of type 'object'"),
])
def test_a_value_of_the_wrong_type_fails(config, path, value, expected):
    assert f"{path}: {expected}" in schema_errors(with_value(config, path, value))


def test_helm_merge_merges_maps_replaces_the_rest_and_removes_nulls():
    defaults = {"hub": {"baseUrl": "/", "extraEnv": {"A": "1"}}, "cull": {"enabled": True, "timeout": 3600},
                "imagePullSecrets": ["a", "b"]}
    values = {"hub": {"extraEnv": {"B": "2"}}, "cull": {"timeout": None}, "imagePullSecrets": ["c"], "debug": {}}
    assert helm_merge(defaults, values) == {"hub": {"baseUrl": "/", "extraEnv": {"A": "1", "B": "2"}},
                                            "cull": {"enabled": True}, "imagePullSecrets": ["c"], "debug": {}}
    assert defaults["cull"] == {"enabled": True, "timeout": 3600}  # the defaults are left as they were


def test_a_null_that_removes_a_required_default_fails(config):
    assert "cull: 'enabled' is a required property" in schema_errors(with_value(config, "cull.enabled", None))
