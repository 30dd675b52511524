"""A built wheel, installed into a new virtual environment, runs the CLI and the dashboard.

The wheel is built from a copy of the sources (``pip wheel --no-deps --no-build-isolation``, with
the setuptools of the ``dev`` extra: offline). The new environment has no pip and no dependency of
its own: a ``.pth`` file lends it this environment's site-packages for the dependencies, and
:func:`installed` checks that costmodel itself comes only from the wheel (its ``__file__`` inside
the new environment, no repository directory on ``sys.path``, run from a temporary directory).

A fast check comes first: the package list in ``pyproject.toml`` matches the package directories
on disk (a new subpackage that is not listed would be missing from the wheel).
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import tomllib
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import free_port, wait_healthy

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_directory_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "costmodel").rglob("__init__.py")} | {
        "costmodel._data"
    }
    data_dirs = {
        "costmodel._data." + p.name for p in (ROOT / "data").iterdir() if p.is_dir() and p.name != "__pycache__"
    }
    assert listed == on_disk | data_dirs | {"costmodel.dataset.vocab"}
    assert config["package-dir"] == {"costmodel._data": "data"}


def _wheel_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PIP_NO_INDEX"] = "1"  # nothing is downloaded
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "costmodel", src / "costmodel", ignore=ignore)
    shutil.copytree(ROOT / "data", src / "data", ignore=ignore)
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(src)],
        capture_output=True,
        text=True,
        env=_wheel_env(),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (whl,) = out.glob("costmodel-*.whl")
    return whl


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A new virtual environment with the wheel installed; yields its bin directory."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # the dependencies: this environment's site-packages, after the new one's (a .pth line is
    # appended to sys.path; the .pth files there, such as the editable costmodel's finder, are not run)
    Path(purelib, "dev-site-packages.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", str(wheel)],
        capture_output=True,
        text=True,
        env=_wheel_env(),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    yield venv / "bin"


def _run(bindir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = _wheel_env()
    env["PATH"] = str(bindir) + os.pathsep + env.get("PATH", "")
    env["COSTMODEL_CACHE_DIR"] = str(cwd / "cache")
    env["COSTMODEL_DB"] = str(cwd / "store.sqlite3")
    return subprocess.run(list(args), capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


@pytest.mark.slow
def test_wheel_carries_the_data_pages_and_vocabularies(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "costmodel/_data/prices.csv",
        "costmodel/_data/models.csv",
        "costmodel/_data/latency_reference.csv",
        "costmodel/_data/sample/recipes.jsonl",
        "costmodel/_data/sample/recipes.defaults.json",
        "costmodel/_data/scenarios/late-2023-gpt35-openai-vs-azure.yaml",
        "costmodel/dataset/vocab/o200k_base.tiktoken.gz",
        "costmodel/dataset/vocab/cl100k_base.tiktoken.gz",
        "costmodel/ui/pages/decision.py",
        "costmodel/ui/streamlit_app.py",
        "costmodel/cli/dashboard.py",
        "costmodel/py.typed",
    ):
        assert expected in names, expected
    assert not any(n.startswith(("tests/", "app_pages/", "data/", "benchmarks/")) for n in names)
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    core = [r for r in requires if "extra ==" not in r]
    assert not [r for r in core if any(x in r for x in ("streamlit", "plotly", "pandas", "openai", "httpx2"))]
    assert any("httpx2" in r and 'extra == "client"' in r for r in requires)
    assert any("streamlit" in r and 'extra == "dashboard"' in r for r in requires)


@pytest.mark.slow
def test_costmodel_comes_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    code = (
        "import json, sys, costmodel\n"
        "from costmodel._bundled import data_dir\n"
        "from costmodel.ui.nav import PAGES_DIR\n"
        "print(json.dumps({'file': costmodel.__file__, 'path': sys.path, 'data': str(data_dir()),"
        " 'pages': str(PAGES_DIR)}))\n"
    )
    proc = _run(installed, "python", "-c", code, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    venv = installed.parent.resolve()
    for key in ("file", "data", "pages"):
        assert Path(info[key]).resolve().is_relative_to(venv), (key, info[key])
    # nothing of the repository on sys.path but the lent site-packages (when the dev venv lives in the
    # checkout), which hold no costmodel package: costmodel can only come from the wheel
    lent = {Path(p).resolve() for p in site.getsitepackages()}
    from_repo = {Path(p).resolve() for p in info["path"] if p and Path(p).resolve().is_relative_to(ROOT)}
    assert from_repo <= lent, info["path"]
    assert not [p for p in lent if (p / "costmodel").exists()]


@pytest.mark.slow
def test_prices_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    proc = _run(installed, "costmodel", "prices", "--model", "gpt-4o-mini", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "gpt-4o-mini-2024-07-18" in proc.stdout
    assert "site-packages/costmodel/_data" not in proc.stderr


@pytest.mark.slow
def test_analyze_the_bundled_sample_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    locate = _run(installed, "python", "-c", "from costmodel._bundled import data_dir; print(data_dir())", cwd=tmp_path)
    sample = Path(locate.stdout.strip()) / "sample" / "recipes.jsonl"
    assert sample.is_file()
    proc = _run(installed, "costmodel", "analyze", str(sample), "--model", "gpt-4o-mini", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # 300 examples, 77,882 billed tokens: the repository's sample, counted by the test suite's
    # own reference (tests/test_ui_dataset.py compares the same file with the cookbook loop)
    assert "300 examples" in proc.stdout
    assert "billed tokens:     77,882" in proc.stdout
    assert list((tmp_path / "cache" / "vocab").glob("o200k_base-*.ranks"))  # the parsed vocabulary, cached


@pytest.mark.slow
def test_every_command_help_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    from costmodel.cli import COMMANDS

    for name in COMMANDS:
        proc = _run(installed, "costmodel", name, "--help", cwd=tmp_path)
        assert proc.returncode == 0, (name, proc.stderr)


@pytest.mark.slow
def test_dashboard_from_the_wheel_answers_its_health_check(installed: Path, tmp_path: Path) -> None:
    port = free_port()
    env = _wheel_env()
    env["PATH"] = str(installed) + os.pathsep + env.get("PATH", "")
    env["COSTMODEL_CACHE_DIR"] = str(tmp_path / "cache")
    env["COSTMODEL_DB"] = str(tmp_path / "store.sqlite3")
    log = (tmp_path / "dashboard.log").open("wb")
    proc = subprocess.Popen(
        [str(installed / "costmodel"), "dashboard", "--headless", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(port, timeout_s=120, proc=proc)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as resp:
            assert resp.status == 200
            assert b"<html" in resp.read().lower()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=30) as resp:
            assert resp.read() == b"ok"
    except Exception:
        log.flush()
        sys.stderr.write((tmp_path / "dashboard.log").read_text(errors="replace")[-4000:])
        raise
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.mark.slow
def test_dashboard_app_from_the_wheel_renders_the_decision_page(installed: Path, tmp_path: Path) -> None:
    """The wheel's own entry script, run by Streamlit's AppTest inside the new environment."""
    code = (
        "from streamlit.testing.v1 import AppTest\n"
        "from costmodel.cli.dashboard import app_path\n"
        "at = AppTest.from_file(app_path(), default_timeout=120).run()\n"
        "assert not at.exception, at.exception\n"
        "print(app_path())\n"
        "print('|'.join(t.value for t in at.title))\n"
    )
    proc = _run(installed, "python", "-c", code, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    app, titles = proc.stdout.strip().splitlines()[-2:]
    assert Path(app).resolve().is_relative_to(installed.parent.resolve())
    assert titles == "Fine-tune or not?"  # the Decision page's title (costmodel/ui/decision_page.py)


def test_an_uninstalled_checkout_finds_its_data() -> None:
    """No install at all (no site-packages, only the checkout on sys.path): data/ of the checkout."""
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from costmodel._bundled import data_dir; print(data_dir())"
    proc = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, cwd="/", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()) == ROOT / "data"


def test_the_editable_install_maps_the_data_package_onto_data() -> None:
    import importlib.resources
    import importlib.util

    from costmodel._bundled import data_dir

    if importlib.util.find_spec("costmodel._data") is None:
        pytest.skip("costmodel is not installed (pip install -e .): the checkout fallback is tested above")

    assert data_dir() == ROOT / "data"
    assert Path(str(importlib.resources.files("costmodel._data"))).resolve() == (ROOT / "data").resolve()
