#!/usr/bin/env python3
"""Run Cercle locally, or its tests, from a fresh clone with nothing but Python 3.11.

    python3.11 start.py                  # install, migrate, load demo data, serve on :8000
    python3.11 start.py test             # install, then run the whole test suite
    python3.11 start.py lock [--upgrade] # write requirements/*.txt again from pyproject.toml

Installs into .venv at the repository root exactly what requirements/dev.txt locks
(versions and hashes): the versions the test suite passed with. When the lock changes,
.venv is made anew from it, so that nothing installed earlier stays behind. Extra
arguments after ``test`` go to pytest; after ``lock``, to pip-compile (``--upgrade`` takes
the newest releases that pyproject.toml's ranges allow, ``--upgrade-package NAME`` one).
"""

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".cercle-installed"

# The locks: everything a developer and CI install (runtime, server and dev extras), and
# what production installs (runtime and server extras), both at the same versions.
DEV_LOCK = ROOT / "requirements" / "dev.txt"
SERVER_LOCK = ROOT / "requirements" / "server.txt"
PIP_COMPILE_OPTIONS = (
    "--quiet",
    "--generate-hashes",
    "--allow-unsafe",  # pip and setuptools are locked too
    "--all-build-deps",  # so is what builds Cercle itself (setuptools)
    "--strip-extras",
    "--no-emit-index-url",
    "--no-emit-find-links",
)


def run(*args, **kwargs) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, **kwargs)
    if result.returncode != 0:
        sys.exit(result.returncode)


def lock_digest() -> str:
    """What .venv was installed from: the lock's content."""
    return hashlib.sha256(DEV_LOCK.read_bytes()).hexdigest()


def install_from_lock() -> None:
    """A new .venv holding exactly the locked packages, each checked against its hash."""
    if VENV.exists():
        print("The lock changed: making .venv anew ...", flush=True)
        shutil.rmtree(VENV)
    else:
        print("Creating .venv ...", flush=True)
    venv.EnvBuilder(with_pip=True).create(VENV)
    print(f"Installing {DEV_LOCK.relative_to(ROOT)} into .venv ...", flush=True)
    run(
        PYTHON,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--require-hashes",
        "--no-deps",
        "--requirement",
        DEV_LOCK,
    )
    STAMP.write_text(lock_digest())


def ensure_environment() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(
            f"Cercle needs Python 3.11; this is {sys.version.split()[0]}. Run it with python3.11."
        )
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text() == lock_digest():
        return
    install_from_lock()


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


def lock(pip_compile_args: list[str]) -> None:
    """Resolve pyproject.toml's ranges again into both locks (dev first; the server lock
    is held to the dev lock's versions), keeping current pins unless told to upgrade."""
    common = [BIN / "pip-compile", *PIP_COMPILE_OPTIONS]
    env = dict(os.environ, CUSTOM_COMPILE_COMMAND="python3.11 start.py lock")
    dev = ["--extra=server", "--extra=dev", *pip_compile_args]
    run(*common, *dev, "-o", DEV_LOCK, "pyproject.toml", env=env)
    server = ["--extra=server", f"--constraint={DEV_LOCK}"]
    run(*common, *server, "-o", SERVER_LOCK, "pyproject.toml", env=env)
    print(f"Wrote {DEV_LOCK.relative_to(ROOT)} and {SERVER_LOCK.relative_to(ROOT)}.")
    print("Run `python3.11 start.py test` (it installs the new lock), then commit both.")


def main() -> None:
    command, *rest = sys.argv[1:] or ["serve"]
    if command not in {"serve", "test", "lock"}:
        sys.exit(__doc__)
    ensure_environment()
    if command == "serve":
        serve()
    elif command == "lock":
        lock(rest)
    else:
        test(rest)


if __name__ == "__main__":
    main()
