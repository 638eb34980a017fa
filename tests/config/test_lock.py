"""What runs is what was locked: the environment holds exactly requirements/dev.txt, the
production lock agrees with it, and both honour pyproject.toml's ranges."""

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def _hashed_requirements(path: Path) -> list[str]:
    """The lock's requirements, each with its hashes (lines joined at backslashes)."""
    text = path.read_text().replace("\\\n", " ")
    return [line for line in text.splitlines() if PIN.match(line)]


DEV = _pins(ROOT / "requirements" / "dev.txt")
SERVER = _pins(ROOT / "requirements" / "server.txt")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _installed() -> dict[str, str]:
    return {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions()
    }


def test_the_environment_holds_exactly_the_locked_versions():
    """start.py installs requirements/dev.txt into a new .venv: every locked package at its
    locked version, and nothing else."""
    installed = _installed()
    assert {name: installed.get(name) for name in DEV} == DEV, (
        "installed versions differ from requirements/dev.txt: run `python3.11 start.py test`, "
        "which installs the lock"
    )
    assert set(installed) - set(DEV) == set(), "packages installed that the lock does not name"


@pytest.mark.parametrize("lock", ["dev.txt", "server.txt"])
def test_every_locked_package_carries_its_hashes(lock):
    requirements = _hashed_requirements(ROOT / "requirements" / lock)
    assert requirements
    unhashed = [line.split()[0] for line in requirements if "--hash=sha256:" not in line]
    assert unhashed == []


def test_the_production_lock_pins_the_same_versions_as_the_tested_one():
    assert SERVER, "requirements/server.txt pins nothing"
    assert {name: DEV.get(name) for name in SERVER} == SERVER


def test_the_production_lock_holds_no_test_tool():
    test_tools = {"pytest", "pytest-django", "playwright", "ruff", "schemathesis", "pip-tools"}
    assert test_tools & set(SERVER) == set()


EXTRAS = PROJECT["optional-dependencies"]


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("server.txt", [*PROJECT["dependencies"], *EXTRAS["server"]]),
        ("dev.txt", [*PROJECT["dependencies"], *EXTRAS["server"], *EXTRAS["dev"]]),
    ],
)
def test_each_lock_honours_the_ranges_of_pyproject(lock, requirements):
    """A stale lock (pyproject.toml changed, `start.py lock` not run) fails here."""
    pins = _pins(ROOT / "requirements" / lock)
    problems = []
    for line in requirements:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        if name not in pins:
            problems.append(f"{requirement.name} is not locked")
        elif not requirement.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{requirement.name}=={pins[name]} is outside {requirement.specifier}")
    assert problems == [], "run `python3.11 start.py lock`"
