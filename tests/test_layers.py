"""The apps are layered one way, api | pages > claims > articles > sources > lib: import-linter."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["api", "pages", "claims", "articles", "sources", "lib"]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own tool, no user input)
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True, check=False
    )


def test_the_apps_keep_their_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_the_contract_fails_when_a_lower_app_imports_a_higher_one(tmp_path):
    # A copy of the apps in which the register reaches up into claims.
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    models = tmp_path / "sources" / "models.py"
    models.write_text(models.read_text() + "\nfrom claims.models import Claim  # noqa\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1
    assert "0 kept, 1 broken" in result.stdout
    assert "sources.models -> claims.models" in result.stdout
