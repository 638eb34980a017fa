"""Production settings: strict, and refusing to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="k3y-" + "s" * 60,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/cercle",
        REDIS_URL="redis://127.0.0.1:6379/0",
        EMAIL_URL="smtp://mail.acme.example:587",
        ALLOWED_HOSTS="cercle.acme.example",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_production_settings_pass_the_deployment_checklist():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("secret", [None, "", "too-short"], ids=["unset", "empty", "short"])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    result = run_manage("check", env=production_env(SECRET_KEY=secret))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("variable", ["DATABASE_URL", "REDIS_URL", "EMAIL_URL"])
def test_production_refuses_to_start_without_its_services(variable):
    result = run_manage("check", env=production_env(**{variable: None}))
    assert result.returncode != 0
    assert f"{variable} must be set" in result.stderr


def test_production_requires_email_verification():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.ACCOUNT_EMAIL_VERIFICATION, settings.CELERY_TASK_ALWAYS_EAGER, "
        "settings.CHANNEL_LAYERS['default']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [
        "mandatory",
        "False",
        "config.channel_layers.RedisPubSubChannelLayer",
    ]


def test_local_default_runs_on_the_embedded_stack():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.CHANNEL_LAYERS['default']"
        "['BACKEND'], settings.CELERY_TASK_ALWAYS_EAGER, settings.EMAIL_BACKEND, "
        "settings.ACCOUNT_EMAIL_VERIFICATION, settings.CERCLE_SIGNUP_DOMAINS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "config.channel_layers.InMemoryChannelLayer",
        "True",
        "django.core.mail.backends.console.EmailBackend",
        "optional",
        "[]",
    ]
