"""The command line and the production settings."""

import os
import subprocess
import sys

import pytest

from .conftest import ROOT

LEITBILD = [sys.executable, "-m", "leitbild.cli"]


def run(args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    full_env.update(env)
    return subprocess.run(
        LEITBILD + args, capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=120
    )


def test_help_lists_leitbild_commands():
    result = run(["--help"], DEBUG="1")
    assert result.returncode == 0
    for name in ["import-text", "compare-editions", "export-edition", "load-demo"]:
        assert name in result.stdout
    assert "migrate" in result.stdout  # Django's commands too


def test_dashed_command_names_work():
    result = run(["import-text", "--help"], DEBUG="1")
    assert result.returncode == 0 and "--edition" in result.stdout


def test_production_settings_pass_check_deploy(tmp_path):
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY="a" * 20 + "-production-secret-" + "Zq8#x!" * 5,
        ALLOWED_HOSTS="leitbild.example.org",
        SITE_URL="https://leitbild.example.org",
        LEITBILD_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_asks_for_the_site_url(tmp_path):
    result = run(
        ["check", "--deploy"],
        SECRET_KEY="a" * 20 + "-production-secret-" + "Zq8#x!" * 5,
        ALLOWED_HOSTS="leitbild.example.org",
        SITE_URL="",
        LEITBILD_DATA_DIR=str(tmp_path),
    )
    assert "leitbild.W001" in result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = run(["check"], SECRET_KEY="", LEITBILD_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("path", ["src/leitbild/locale/de/LC_MESSAGES/django.mo"])
def test_german_translations_are_compiled(path):
    po = (ROOT / path).with_suffix(".po")
    assert (ROOT / path).stat().st_mtime >= po.stat().st_mtime - 1
