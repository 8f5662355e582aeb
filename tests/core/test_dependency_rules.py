"""The dependency rules stay complete: `lint-imports` (make lint, CI) checks the contracts in pyproject.toml, and
these tests check that the contracts still name what they must as modules come and go."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path
from typing import Any

import app

ROOT = Path(__file__).resolve().parents[2]
# The composition above app core: the site, and the admin and the portal it mounts, import every room.
COMPOSITION = {"site", "admin", "portal"}


def _contracts() -> dict[str, dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def test_the_core_contract_names_every_core_module() -> None:
    """A new module in app/ is core unless it joins the composition (site, admin, portal): add it to ``core``."""
    core = {f"app.{module.name}" for module in pkgutil.iter_modules(app.__path__) if module.name not in COMPOSITION}
    assert set(_contracts()["core"]["source_modules"]) == core


def test_the_core_contract_forbids_every_room_and_the_composition() -> None:
    rooms = {path.parent.name for path in ROOT.glob("*/piccolo_app.py")} - {"app"}
    forbidden = set(_contracts()["core"]["forbidden_modules"])
    assert rooms <= forbidden, "a new room (a Piccolo app) must be forbidden to app core"
    assert {f"app.{name}" for name in COMPOSITION} <= forbidden


def test_the_layers_name_every_room() -> None:
    rooms = {path.parent.name for path in ROOT.glob("*/piccolo_app.py")} - {"app"}
    layers = _contracts()["layers"]["layers"]
    assert layers[:2] == ["app.site", "app.admin | app.portal"]
    assert set(layers[2:]) == rooms, "a new room needs its place in the layers"


def test_ignored_layer_imports_are_of_pure_modules_only() -> None:
    """Only pure maths may be imported against the layers (and only with a reason in pyproject.toml)."""
    pure = set(_contracts()["pure"]["source_modules"])
    for ignored in _contracts()["layers"].get("ignore_imports", []):
        imported = ignored.split("->")[1].strip()
        assert imported in pure, ignored


def test_programmes_fills_the_hooks_app_core_calls() -> None:
    """App core reaches programmes only through hooks, filled once when programmes' Piccolo app loads."""
    import programmes.piccolo_app  # noqa: F401
    from app.organisations import facts
    from programmes.applications.rescreening import enqueue_rescreen

    assert facts.LISTENERS.count(enqueue_rescreen) == 1
