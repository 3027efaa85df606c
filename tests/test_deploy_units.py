"""The systemd units in deploy/systemd/ pass ``systemd-analyze verify`` (installed by
``./dev test``; missing, the test fails), with the install path /srv/exhibition replaced
by this checkout so their ExecStart binary exists; and the template keeps what the
drain and the hardening rely on."""
from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from exhibition.runtime.serving import STOP_GRACE
from exhibition.runtime.startup import DRAIN_TIMEOUT

ROOT = Path(__file__).resolve().parents[1]
UNITS = ROOT / "deploy" / "systemd"
INSTALL_PATH = "/srv/exhibition"  # where docs/SCALING.md installs the checkout


@pytest.fixture
def units(tmp_path: Path) -> Path:
    for unit in UNITS.iterdir():
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALL_PATH, str(ROOT)))
    return tmp_path


def verify(units: Path, *names: str) -> subprocess.CompletedProcess:
    analyze = shutil.which("systemd-analyze") or "/usr/bin/systemd-analyze"
    return subprocess.run([analyze, "verify", *(str(units / name) for name in names)],
                          capture_output=True, text=True, timeout=60, cwd=units)


def test_the_units_verify_without_a_warning(units):
    result = verify(units, "exhibition@5001.service", "exhibition@5002.service",
                    "exhibition-migrate.service", "exhibition.target")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout + result.stderr == ""  # unknown keys are only warnings: none allowed


def test_verify_catches_a_broken_unit(units):
    """The check can fail: a misspelt key and a missing binary are reported."""
    template = units / "exhibition@.service"
    template.write_text(template.read_text().replace("TimeoutStopSec=", "TimeoutStopSecs=")
                        .replace(str(ROOT) + "/.venv/bin/python", "/nonexistent/python"))
    result = verify(units, "exhibition@5001.service")
    assert result.returncode != 0
    assert "TimeoutStopSecs" in result.stderr and "/nonexistent/python" in result.stderr


def test_the_template_serves_its_port_drains_on_sigterm_and_is_hardened():
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read(UNITS / "exhibition@.service")
    service = parser["Service"]
    assert "PORT=%i" in service["Environment"].split()
    assert service["EnvironmentFile"] == "/etc/exhibition/env"
    assert service["ExecStart"] == f"{INSTALL_PATH}/.venv/bin/python run.py"
    assert service["Restart"] == "on-failure"
    assert service["KillSignal"] == "SIGTERM"
    # the drain takes at most DRAIN_TIMEOUT + STOP_GRACE seconds: systemd waits longer
    assert int(service["TimeoutStopSec"]) > DRAIN_TIMEOUT + STOP_GRACE
    assert service["User"] == "exhibition"
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == f"{INSTALL_PATH}/instance"
    assert service["PrivateTmp"] == "yes"
    target = configparser.ConfigParser(strict=False, interpolation=None)
    target.read(UNITS / "exhibition.target")
    assert "exhibition@5001.service" in target["Unit"]["Wants"].split()
