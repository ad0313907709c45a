"""Only the actions write outlets, sources and articles; saving a model computes nothing."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["sources", "articles"]
# The modules that must call an action instead of writing: pages, forms, the admin, tasks.
CALLERS = [f"{app}/{module}.py" for app in APPS for module in ("views", "forms", "admin", "tasks")]
# The API's endpoints and pages call the actions of every app, and its own for tokens.
CALLERS += [f"api/{module}.py" for module in ("views", "auth", "claims", "articles", "register")]
WRITES = {
    "save",
    "create",
    "delete",
    "update",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}


def writes_in(source: str) -> list[str]:
    """Every call of a write method (`x.save(`, `X.objects.create(` …), as `line: .name(`."""
    return [
        f"{node.lineno}: .{node.func.attr}("
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in WRITES
    ]


@pytest.mark.parametrize("module", CALLERS)
def test_pages_forms_the_admin_and_tasks_write_only_through_actions(module):
    assert writes_in((ROOT / module).read_text()) == []


def test_the_check_finds_a_direct_write():
    view = "def edit(request, pk):\n    Source.objects.filter(pk=pk).update(title='x')\n"
    form_save = "def create(request):\n    form.save()\n"
    assert writes_in(view) == ["2: .update("]
    assert writes_in(form_save) == ["2: .save("]
    assert writes_in("def v(request):\n    actions.add_source(by=request.user)\n") == []


@pytest.mark.parametrize("app", APPS)
def test_saving_a_model_computes_no_derived_data(app):
    """Derived data is computed by the actions, once; no model overrides save()."""
    tree = ast.parse((ROOT / app / "models.py").read_text())
    overrides = [
        f"{node.name}.save"
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        for item in node.body
        if isinstance(item, ast.FunctionDef) and item.name == "save"
    ]
    assert overrides == []
