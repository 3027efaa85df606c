"""Serving settings read from the environment (exhibition/serving.py)."""
import gc

import pytest

from exhibition.runtime.serving import gc_threshold, settings_from_env, tune_gc


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


def _record(exc_info, msg="message handler error"):
    import logging
    return logging.LogRecord("engineio.server", logging.ERROR, __file__, 1, msg, None, exc_info)


def test_undecodable_packets_become_rate_limited_warnings():
    import json
    import sys

    from exhibition.realtime.server import UndecodablePacketLog
    log = UndecodablePacketLog(every=60)
    try:
        json.loads("{not json")
    except ValueError:
        junk = sys.exc_info()
    first = _record(junk)
    assert log.filter(first) is True
    assert first.exc_info is None and first.levelname == "WARNING"
    assert "undecodable Socket.IO packet" in first.getMessage() and "JSONDecodeError" in first.getMessage()
    assert log.filter(_record(junk)) is False  # within the minute: counted, not logged
    log._last -= 61
    third = _record(junk)
    assert log.filter(third) is True and third.getMessage().startswith("dropped 2 ")


def test_a_traceback_through_the_platform_is_kept():
    import sys

    from exhibition.errors import Invalid
    from exhibition.realtime.server import UndecodablePacketLog
    from exhibition.runtime.validation import text
    log = UndecodablePacketLog()
    try:
        text({}, "body")
    except Invalid:
        ours = sys.exc_info()
    record = _record(ours)
    assert log.filter(record) is True and record.exc_info is ours
    plain = _record(None, "something else")
    assert log.filter(plain) is True
