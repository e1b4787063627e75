"""A pytest plugin of tools/check (`-p pytest_own_filestore`), which runs
the tests in two processes (pytest-xdist): pytest-odoo gives each process its
own copy of the database but lets the copies share the original's
filestore. Odoo's clean-up after each test class deletes the files its own
database does not know, so one process would delete the files the other has
just written. Each copy gets a copy of the filestore instead."""

import os
import shutil
from unittest import mock

import pytest

import odoo
from odoo.tests.common import get_db_name


@pytest.fixture(scope="session", autouse=True)
def own_filestore(load_registry):
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    config = odoo.tools.config
    db_name = get_db_name()
    shared = config.filestore(db_name)  # pytest-odoo's: the original's
    own = type(config).filestore(config, db_name)  # Odoo's: the copy's own
    shutil.rmtree(own, ignore_errors=True)
    if os.path.isdir(shared):
        shutil.copytree(shared, own)
    with mock.patch.object(config, "filestore", lambda _db_name: own):
        yield
    shutil.rmtree(own, ignore_errors=True)
