"""The package as users get it: the wheel carries the price books; start-up stays light."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

from tests.conftest import REPO


def test_the_wheel_ships_the_bundled_price_books(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path)], check=True)
    [wheel] = tmp_path.glob("tco-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    bundled = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "pricebooks").rglob("*") if p.is_file())
    assert bundled and all(f"tco/{name}" in names for name in bundled)


def test_help_does_not_import_numpy_or_openpyxl():
    heavy = "{'numpy', 'openpyxl', 'duckdb', 'sqlglot'}"
    code = f"import sys; from tco.cli.app import main; main(['--help']); print(sorted({heavy} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True).stdout
    assert out.strip().endswith("[]")


def test_python_dash_m_and_version(tco):
    from tco import __version__

    result = subprocess.run([sys.executable, "-m", "tco", "--version"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0 and result.stdout.strip() == f"tco {__version__}"


def test_schema_files_beside_the_price_books_are_current(tco):
    """Compared by what they say of our models, so a new pydantic that renders a schema differently still passes."""
    from tco.models.schemas import SCHEMAS, outline, schema_json

    for kind, filename in SCHEMAS.items():
        committed = json.loads((REPO / "pricebooks" / filename).read_text())
        assert outline(committed) == outline(json.loads(schema_json(kind))), "run: tco pricebook schema --write pricebooks"


def test_the_committed_schemas_accept_every_bundled_book_and_example():
    """What an editor checks as it is typed agrees with what tco loads."""
    import jsonschema
    import yaml

    files = {"pricebook": sorted((REPO / "pricebooks").glob("*/*.yaml")), "workload": sorted((REPO / "examples").glob("*.yaml")),
             "tokenizers": [REPO / "pricebooks" / "tokenizers.yaml"]}
    for kind, paths in files.items():
        validator = jsonschema.Draft202012Validator(json.loads((REPO / "pricebooks" / f"{kind}.schema.json").read_text()))
        assert paths
        for path in paths:
            document = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
            assert [e.message for e in validator.iter_errors(document)] == [], path
