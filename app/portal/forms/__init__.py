"""The portal's form renderer: a form's JSON Schema (+ answers + field errors) as HTML, and the posted form back into
the answers a JSON client would send. It reads the form conventions only through ``programmes.form_ui`` and knows
nothing of applications, so the report forms use it the same way (docs/forms-and-eligibility.md)."""

from app.portal.forms.parse import parse_form
from app.portal.forms.render import add_item, error_map, remove_item, render_form

__all__ = ["add_item", "error_map", "parse_form", "remove_item", "render_form"]
