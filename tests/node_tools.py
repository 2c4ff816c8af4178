"""The pinned Node tools of the suite (package.json, installed by `make node-tools`): the
OpenAPI linters and the TypeScript client generator. Without Node, npm or the installed
tools, the tests that need them are skipped, saying why."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "openapi.json"
BIN = ROOT / "node_modules" / ".bin"
# No update checks, telemetry or colours from the tools.
ENV = os.environ | {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
                    "NO_COLOR": "1", "FORCE_COLOR": "0"}


def missing():
    """Why the Node tools cannot run here, or None."""
    for program in ("node", "npm"):
        if shutil.which(program) is None:
            return (f"`{program}` is not installed (Debian: apt-get install nodejs npm): the "
                    "spec linters and the TypeScript client are not tested")
    if not (BIN / "tsc").exists():
        return "the Node tools are not installed: run `make node-tools` (npm ci)"
    return None


def require():
    """Skip the calling test (loudly, with the reason) when the Node tools cannot run."""
    reason = missing()
    if reason:
        pytest.skip(f"!!! {reason}")


def run(tool, *args, cwd=ROOT, timeout=180):
    """Run a tool of node_modules/.bin; its output comes back with the exit code."""
    return subprocess.run([str(BIN / tool), *map(str, args)], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=timeout, check=False)
