"""The admin package keeps its shape: form modules depend on forms.common only, and FORMS mounts every form."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from piccolo_admin.endpoints import FormConfig

import app.admin.forms as forms_package
from app.admin import FORMS

FORMS_DIR = Path(forms_package.__file__).parent
AREAS = sorted(p.stem for p in FORMS_DIR.glob("*.py") if p.stem not in ("__init__", "common"))


def _admin_imports(path: Path) -> set[str]:
    """Every app.admin module a file imports, at module level or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app.admin"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("app.admin"))
    return found


def test_form_modules_import_no_other_form_module() -> None:
    # What two areas share lives in forms.common; an import between areas is how the old circle began.
    for area in AREAS:
        others = {m for m in _admin_imports(FORMS_DIR / f"{area}.py") if m.startswith("app.admin.forms")}
        assert others <= {"app.admin.forms.common"}, (area, others)


def test_every_area_form_is_mounted_once() -> None:
    names = [form.name for form in FORMS]
    assert len(names) == len(set(names))
    for area in AREAS:
        module = importlib.import_module(f"app.admin.forms.{area}")
        lists = [v for k, v in vars(module).items() if k.endswith("_FORMS") and isinstance(v, list)]
        assert len(lists) == 1, area
        assert lists[0] and all(isinstance(f, FormConfig) and f in FORMS for f in lists[0]), area
