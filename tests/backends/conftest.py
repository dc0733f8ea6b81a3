"""Fixtures for the backend tests: the worker plugin installed as a real distribution would be."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).parent

ENTRY_POINTS = """\
[pipespec.registries]
backend_tests = backend_plugin:worker_registry
"""
METADATA = """\
Metadata-Version: 2.1
Name: pipespec-backend-tests
Version: 0.0.0
"""


@pytest.fixture(scope="session")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the test plugin's modules and a ``*.dist-info`` whose entry point
    puts ``backend_plugin:worker_registry`` in the ``pipespec.registries`` group, and a
    ``preload.py`` a Dask worker runs at start to add the folder to its ``sys.path``.

    Only workers get the folder: this process's registry stays what it was.
    """
    site = tmp_path_factory.mktemp("site")
    for module in (HERE / "backend_plugin.py", HERE.parent / "core_registry.py"):
        shutil.copy(module, site / module.name)
    info = site / "pipespec_backend_tests-0.0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(METADATA, encoding="utf-8")
    (info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    (site / "preload.py").write_text(
        f'"""Adds the test plugin\'s folder to a worker\'s path."""\n'
        f"import site\n\nsite.addsitedir({str(site)!r})\n",
        encoding="utf-8",
    )
    return site
