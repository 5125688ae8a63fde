"""Request ids and JSON log lines (core.logging)."""

import json
import logging
import re
import runpy
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from flask import Flask, current_app, g
from flask.logging import default_handler

from core.config import load_config
from core.logging import (
    JsonFormatter,
    JsonHandler,
    configure_logging,
    leave_to_json,
    request_id_from,
    start_request,
)
from tests.served import venv_tool

HEX32 = re.compile(r"[0-9a-f]{32}")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def no_json_handler_left():
    """Take the JSON handler a test puts on the root logger off again."""
    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, JsonHandler):
            root.removeHandler(handler)


@pytest.mark.parametrize("value", ["abc-123", "4f0c9a1e7b2d", "req_1.2", "a" * 64])
def test_a_safe_incoming_request_id_is_kept(value):
    assert request_id_from(value) == value


@pytest.mark.parametrize(
    "value",
    [None, "", "a" * 65, "two words", "x\r\nSet-Cookie: a=b", '"quoted"', "mã-số", "a/b", "{x}"],
)
def test_an_unsafe_or_missing_request_id_is_replaced_by_a_random_one(value):
    first, second = request_id_from(value), request_id_from(value)
    assert HEX32.fullmatch(first) and HEX32.fullmatch(second) and first != second


def test_every_response_carries_a_request_id(client):
    generated = client.get("/healthz")
    assert HEX32.fullmatch(generated.headers["X-Request-ID"])
    other = client.get("/healthz")
    assert other.headers["X-Request-ID"] != generated.headers["X-Request-ID"]
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.9"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a.9"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id<script>"})
    assert HEX32.fullmatch(replaced.headers["X-Request-ID"])
    missing = client.get("/no-such-page", headers={"X-Request-ID": "lost-1"})
    assert missing.status_code == 404 and missing.headers["X-Request-ID"] == "lost-1"


def test_each_request_writes_one_access_line_with_its_fields(app, client, caplog):
    with caplog.at_level(logging.INFO, logger=f"{app.logger.name}.access"):
        client.get("/healthz?token=secret", headers={"X-Request-ID": "acc-1"})
    (record,) = [r for r in caplog.records if r.name == f"{app.logger.name}.access"]
    assert record.getMessage() == "GET /healthz 200"
    assert (record.request_id, record.method, record.path, record.status) == (
        "acc-1",
        "GET",
        "/healthz",
        200,
    )
    assert isinstance(record.duration_ms, float) and record.duration_ms >= 0
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "acc-1" and line["status"] == 200
    assert "secret" not in json.dumps(line)  # the query string is not logged


def test_json_formatter_writes_one_object_per_line_with_the_fields():
    try:
        raise ValueError("hỏng")
    except ValueError:
        record = logging.getLogger("app").makeRecord(
            "app",
            logging.ERROR,
            __file__,
            1,
            "Đơn %s lỗi\ndòng hai",
            ("HG-1",),
            sys.exc_info(),
            extra={"order": "HG-1"},
        )
    text = JsonFormatter().format(record)
    assert "\n" not in text
    line = json.loads(text)
    assert line["level"] == "ERROR" and line["logger"] == "app"
    assert line["message"] == "Đơn HG-1 lỗi\ndòng hai"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    for field in ("request_id", "method", "path", "status", "duration_ms"):
        assert field in line and line[field] is None  # no request here
    assert line["order"] == "HG-1"
    assert "ValueError: hỏng" in line["exception"]


def test_json_formatter_takes_the_request_fields_from_the_current_request(app):
    headers = {"X-Request-ID": "ctx-42"}
    with app.test_request_context("/cart?token=x", method="POST", headers=headers):
        start_request()
        assert g.request_id == "ctx-42"
        record = logging.getLogger("app").makeRecord(
            "app", logging.INFO, __file__, 1, "in a request", (), None
        )
        line = json.loads(JsonFormatter().format(record))
    assert (line["request_id"], line["method"], line["path"]) == ("ctx-42", "POST", "/cart")


def test_log_json_defaults_to_true_outside_tests(tmp_path, monkeypatch):
    monkeypatch.delenv("LOG_JSON", raising=False)

    def configured(overrides=None):
        app = Flask("ocop_config_probe", instance_path=str(tmp_path))
        load_config(app, overrides)
        return app.config["LOG_JSON"]

    assert configured() is True
    assert configured({"TESTING": True}) is False
    assert configured({"TESTING": True, "LOG_JSON": True}) is True
    monkeypatch.setenv("LOG_JSON", "0")
    assert configured() is False


def test_the_test_app_keeps_plain_logging(app):
    assert app.config["LOG_JSON"] is False
    assert default_handler in app.logger.handlers or not app.logger.handlers


def test_with_log_json_every_line_is_json_with_the_request_id(capsys, no_json_handler_left):
    for name in ("ocop_logging_other", "ocop_logging_probe"):
        # A second app in the same process (as in tests) replaces the handler, not adds one.
        app = Flask(name)
        app.config["LOG_JSON"] = True
        configure_logging(app)

    @app.get("/hello")
    def hello():
        current_app.logger.info("xin chào %s", "bạn")
        return "ok"

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaput")

    capsys.readouterr()
    client = app.test_client()
    assert client.get("/hello", headers={"X-Request-ID": "json-1"}).status_code == 200
    assert client.get("/boom", headers={"X-Request-ID": "json-2"}).status_code == 500
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]

    assert [(x["logger"], x["message"], x["request_id"]) for x in lines] == [
        ("ocop_logging_probe", "xin chào bạn", "json-1"),
        ("ocop_logging_probe.access", "GET /hello 200", "json-1"),
        ("ocop_logging_probe", "Exception on /boom [GET]", "json-2"),
        ("ocop_logging_probe.access", "GET /boom 500", "json-2"),
    ]
    hello_line, access, error, failed = lines
    assert hello_line["method"] == "GET" and hello_line["path"] == "/hello"
    assert access["status"] == 200 and access["duration_ms"] >= 0
    assert error["level"] == "ERROR" and "RuntimeError: kaput" in error["exception"]
    assert failed["status"] == 500


def test_gunicorn_logs_json_and_leaves_access_lines_to_the_app():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["accesslog"] is None
    logging_config = settings["logconfig_dict"]
    assert logging_config["handlers"]["json"]["()"] is JsonHandler
    assert logging_config["loggers"]["gunicorn.error"]["handlers"] == ["json"]
    assert logging_config["loggers"]["gunicorn.access"]["handlers"] == []


def test_a_library_s_own_stderr_handler_is_left_to_the_json_one(tmp_path):
    logger = logging.getLogger("ocop_logging_library")
    plain, to_file = logging.StreamHandler(), logging.FileHandler(tmp_path / "library.log")
    logger.addHandler(plain)
    logger.addHandler(to_file)
    logger.propagate = False
    try:
        leave_to_json("ocop_logging_library")
        assert logger.handlers == [to_file] and logger.propagate
    finally:
        logger.removeHandler(to_file)
        to_file.close()


def test_the_job_worker_writes_each_line_once_as_json(tmp_path):
    """huey_consumer gives the "huey" logger a plain handler of its own; with JSON logs the
    worker's lines came twice (plain, then JSON). Each comes once now, as JSON."""
    consumer = venv_tool("huey_consumer")
    env = {
        "PATH": str(Path(sys.executable).parent),
        "LANG": "C.UTF-8",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}",
        "JOBS_FILE": str(tmp_path / "jobs.db"),
        "SECRET_KEY": "test",
        "LOG_JSON": "1",
    }
    process = subprocess.Popen(
        [consumer, "jobs_worker.queue", "--workers", "2", "--worker-type", "thread"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines, started = [], threading.Event()

    def read():
        for line in process.stderr:
            lines.append(line.rstrip("\n"))
            if "commands are available" in line:
                started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert started.wait(timeout=60), "the worker did not start:\n" + "\n".join(lines)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        reader.join(timeout=10)
    entries = [json.loads(line) for line in lines]  # every line is JSON
    messages = [entry["message"] for entry in entries]
    assert len(messages) == len(set(messages)), messages
    assert any(m.startswith("Huey consumer started") for m in messages)
    assert "+ core.notifications.deliver" in next(m for m in messages if "commands" in m)


def test_the_log_format_is_json_in_production_and_text_for_a_person(tmp_path, monkeypatch):
    """core.config.log_format: JSON by default (gunicorn, the worker), readable lines with
    LOG_FORMAT=text (`make run`) or FLASK_DEBUG, Flask's own under tests."""
    for name in ("LOG_JSON", "LOG_FORMAT", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)

    def configured(overrides=None):
        app = Flask("ocop_format_probe", instance_path=str(tmp_path))
        load_config(app, overrides)
        return app.config["LOG_FORMAT"], app.config["LOG_JSON"]

    assert configured() == ("json", True)
    assert configured({"TESTING": True}) == ("", False)
    monkeypatch.setenv("LOG_FORMAT", "text")
    assert configured() == ("text", False)
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    assert configured() == ("json", True)
    monkeypatch.setenv("LOG_FORMAT", "yaml")  # not a format: the default
    assert configured() == ("json", True)
    monkeypatch.delenv("LOG_FORMAT")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert configured() == ("text", False)
    monkeypatch.setenv("LOG_JSON", "0")
    monkeypatch.delenv("FLASK_DEBUG")
    assert configured() == ("text", False)


def test_make_run_asks_for_readable_lines_and_says_where_to_open():
    run = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nrun:", 1)[1].split("\n\n")[0]
    assert "LOG_FORMAT=text" in run and "http://127.0.0.1:5000" in run
    assert "--port 5000" in (ROOT / "Procfile").read_text(encoding="utf-8")


@pytest.fixture()
def no_text_handler_left():
    from core.logging import TextHandler

    yield TextHandler
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, TextHandler):
            root.removeHandler(handler)


def test_with_text_logs_each_line_is_readable(capsys, no_text_handler_left):
    for name in ("ocop_text_other", "ocop_text_probe"):
        app = Flask(name)  # a second app replaces the handler, not adds one
        app.config["LOG_FORMAT"] = "text"
        configure_logging(app)
    handlers = [type(h) for h in logging.getLogger().handlers]
    assert handlers.count(no_text_handler_left) == 1 and JsonHandler not in handlers

    @app.post("/login")
    def login():
        current_app.logger.warning("mật khẩu sai")
        return "", 302

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaput")

    capsys.readouterr()
    client = app.test_client()
    client.post("/login")
    client.get("/boom")
    # The development server's own line of a request is left out (the access line says it).
    werkzeug = logging.getLogger("werkzeug")
    level, werkzeug.level = werkzeug.level, logging.INFO  # as the server sets it
    try:
        werkzeug.info('127.0.0.1 - - [01/Dec/2026 19:41:19] "GET / HTTP/1.1" 200 -')
        werkzeug.info(" * Running on http://127.0.0.1:5000")
    finally:
        werkzeug.level = level
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if re.match(r"\d\d:\d\d:\d\d ", line)]
    assert re.fullmatch(r"\d\d:\d\d:\d\d WARNING ocop_text_probe: mật khẩu sai", lines[0])
    assert re.fullmatch(r"\d\d:\d\d:\d\d INFO POST /login 302 \(\d+(\.\d+)? ms\)", lines[1])
    assert "ERROR ocop_text_probe: Exception on /boom [GET]" in lines[2]
    assert "RuntimeError: kaput" in err  # the traceback, below its line
    assert re.fullmatch(r"\d\d:\d\d:\d\d INFO GET /boom 500 \(\d+(\.\d+)? ms\)", lines[3])
    assert lines[4].endswith("INFO werkzeug:  * Running on http://127.0.0.1:5000")
    assert len(lines) == 5 and "{" not in err.split("Traceback")[0]
