"""gunicorn.conf.py: each worker loads the claim matcher before its first request."""

import logging
import runpy

import pytest

from claims import matching
from lib import embedding
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.django_db(transaction=True)


class Worker:
    log = logging.getLogger("gunicorn-test")


@pytest.fixture
def config():
    return runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))


def test_a_worker_loads_the_model_and_the_index_before_serving(config):
    matching.forget_indexes()
    config["post_worker_init"](Worker())
    assert embedding.embedder()._model is not None
    assert matching._indexes, "the claims' index was read"


def test_a_matcher_that_cannot_load_is_logged_and_the_worker_goes_on(config, monkeypatch, caplog):
    def broken(kind):
        raise RuntimeError("no database")

    monkeypatch.setattr(matching, "index_of", broken)
    with caplog.at_level(logging.ERROR, logger="gunicorn-test"):
        config["post_worker_init"](Worker())
    assert "Could not load the claim matcher" in caplog.text
