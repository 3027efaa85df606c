"""Serving settings read from the environment (exhibition/serving.py)."""
import gc

import pytest

from exhibition.serving import gc_threshold, settings_from_env, tune_gc


def test_gc_threshold_default_and_parsing():
    assert settings_from_env({})["SERVER_GC_THRESHOLD"] == (10000, 10, 10)
    assert settings_from_env({"SERVER_GC_THRESHOLD": ""})["SERVER_GC_THRESHOLD"] is None
    assert gc_threshold(" 5000, 20 ") == (5000, 20)
    for bad in ("x", "0,10,10", "1,2,3,4", "-5", "10,,10"):
        with pytest.raises(ValueError, match="SERVER_GC_THRESHOLD"):
            gc_threshold(bad)


def test_tune_gc_freezes_and_sets_the_threshold(app):
    before = gc.get_threshold()
    try:
        app.config["SERVER_GC_THRESHOLD"] = (12345, 11, 12)
        tune_gc(app)
        assert gc.get_threshold() == (12345, 11, 12)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_empty_setting_leaves_python_defaults(app):
    before = gc.get_threshold()
    app.config["SERVER_GC_THRESHOLD"] = None
    tune_gc(app)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
