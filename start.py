#!/usr/bin/env python3
"""Run Cercle locally, or its tests, from a fresh clone with nothing but Python 3.11.

    python3.11 start.py          # install, migrate, load demo data, serve on :8000
    python3.11 start.py test     # install, then run the whole test suite

Creates .venv at the repository root on first use and keeps it in step with
pyproject.toml. Extra arguments after ``test`` go to pytest.
"""

import contextlib
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".cercle-installed"


def run(*args, **kwargs) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, **kwargs)
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_environment() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(
            f"Cercle needs Python 3.11; this is {sys.version.split()[0]}. Run it with python3.11."
        )
    if not PYTHON.exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("Installing Cercle and its dependencies into .venv ...", flush=True)
    run(
        PYTHON,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--editable",
        ".[dev]",
    )
    STAMP.write_text(wanted)


def manage(*args) -> None:
    run(PYTHON, "manage.py", *args)


def serve() -> None:
    manage("migrate", "--noinput", "--verbosity", "0")
    manage("seed_demo")
    print("\nCercle is running at http://127.0.0.1:8000/  (Ctrl+C to stop)\n", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        manage("runserver", "127.0.0.1:8000")


def test(pytest_args: list[str]) -> None:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    result = subprocess.run([str(PYTHON), "-m", "pytest", *pytest_args], cwd=ROOT, env=env)
    sys.exit(result.returncode)


def main() -> None:
    command, *rest = sys.argv[1:] or ["serve"]
    if command not in {"serve", "test"}:
        sys.exit(__doc__)
    ensure_environment()
    if command == "serve":
        serve()
    else:
        test(rest)


if __name__ == "__main__":
    main()
