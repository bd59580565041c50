"""The project's own files: dependencies declared once, named the same in environment.yml."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement.strip(), maxsplit=1)[0].lower()


def pyproject_names() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += [r for r in extra if not r.startswith("orderkit")]
    return {_name(r) for r in reqs}


def environment_names() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    return conda - {"python", "pip"}


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    assert environment_names() == pyproject_names()


def test_environment_yml_pins_the_same_minimum_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d): d.replace(" ", "") for d in env["dependencies"] if isinstance(d, str)}
    reqs = list(project["dependencies"]) + [
        r for extra in project["optional-dependencies"].values() for r in extra
    ]
    for req in reqs:
        if req.startswith("orderkit"):
            continue
        floor = re.search(r">=\s*([\w.]+)", req)
        assert floor, f"{req} has no minimum version"
        assert conda[_name(req)].endswith(f">={floor.group(1)}"), (req, conda[_name(req)])


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme
    assert ci.strip().splitlines()[-1] == "exec make test"


def test_package_is_typed():
    assert (ROOT / "orderkit" / "py.typed").exists()


def test_committed_notebooks_show_no_warnings_or_errors():
    # A reader sees the committed outputs first: a deprecation warning or a traceback in them is
    # documentation gone wrong (make refresh-notebooks regenerates them).
    import json

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for i, cell in enumerate(json.loads(path.read_text())["cells"]):
            for out in cell.get("outputs", []):
                assert out.get("name") != "stderr", f"{path.name} cell {i}: {out.get('text')}"
                assert out.get("output_type") != "error", f"{path.name} cell {i}"


def test_readme_links_nothing_outside_the_repository():
    readme = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(([^)]+)\)", readme)
    assert all((ROOT / t.split("#")[0]).exists() for t in targets), targets
    assert "../" not in readme and "/work/" not in readme


def test_each_app_has_a_make_target_that_the_readme_names():
    makefile = (ROOT / "Makefile").read_text()
    readme = (ROOT / "README.md").read_text()
    for app in ("playbook", "dashboard", "training"):
        assert f"\napp-{app}:" in makefile
        assert f"make app-{app}" in readme


def test_the_setup_installs_lab_settings_without_the_news_popup():
    overrides = json.loads((ROOT / "jupyter" / "overrides.json").read_text())
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false"
    assert "jupyter/overrides.json" in (ROOT / "Makefile").read_text()
