"""The API reference in docs/api/ describes the running code, completely.

- Every HTTP route under /api (and /healthz, /schedule.ics) has its path and method in
  docs/api/openapi.yaml, and openapi.yaml describes nothing the app does not serve.
- Every Socket.IO handler the server registers (connect/disconnect aside) has a
  ``### `name` `` section under "Client → server" in docs/api/socketio.md, and back.
- Every event name the code publishes has a section under "Server → client", and back.
  The names come from an AST scan of exhibition/**/*.py: string literals given as the
  event to ``publish``, ``emit``, presence ``Event`` and every helper that forwards its
  own parameter to one of them (``schedule.services._push``, …).
- openapi.yaml is valid OpenAPI 3.1 and keeps its own conventions (x-roles, the
  X-CSRFToken header on every non-GET, the SPEC's error shape).
- What it claims about access holds: 401 without a login, 403 ``csrf`` without the
  token, 403 for an attendee on organiser-only and booth-staff routes.

Adding a route or an event without describing it fails here.
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import yaml

from . import factories

ROOT = Path(__file__).resolve().parent.parent
OPENAPI = ROOT / "docs" / "api" / "openapi.yaml"
SOCKETIO_DOC = ROOT / "docs" / "api" / "socketio.md"
PACKAGE = ROOT / "exhibition"

EXTRA_PATHS = ("/healthz", "/schedule.ics")  # described although not under /api
OPERATIONS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
IGNORED_METHODS = {"HEAD", "OPTIONS"}
LIFECYCLE_EVENTS = {"connect", "disconnect"}
KNOWN_ROLES = {"anyone", "user", "booth_staff", "organiser", "meeting_party", "invitee"}
SPEC_ERROR_CODES = {"invalid", "unauthenticated", "forbidden", "csrf", "not_found", "conflict",
                    "too_large", "rate_limited"}
REQUIRED_SCHEMAS = {"Error", "User", "BoothCard", "Booth", "Lead", "BoothStats", "Session",
                    "Meeting", "Announcement", "AdminStats"}
CLIENT_SECTION = "Client → server"
SERVER_SECTION = "Server → client"


# ---------------------------------------------------------------- reading the documents

def load_openapi() -> dict:
    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))


def resolve(doc: dict, node):
    """Follow local ``$ref``s (``#/components/...``) until a real object."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"only local $refs are used in openapi.yaml, not {ref}"
        assert ref not in seen, f"$ref loop at {ref}"
        seen.add(ref)
        node = doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def documented_operations(doc: dict) -> dict[tuple[str, str], dict]:
    """(METHOD, path template) -> operation object."""
    out = {}
    for path, item in (doc.get("paths") or {}).items():
        for method in OPERATIONS:
            if method in item:
                out[(method.upper(), path)] = item[method]
    return out


def operation_parameters(doc: dict, path: str, op: dict) -> list[dict]:
    item = doc["paths"][path]
    return [resolve(doc, p) for p in list(item.get("parameters") or []) + list(op.get("parameters") or [])]


_HEADING2 = re.compile(r"^##\s+(?!#)(.+?)\s*$")
_EVENT_HEADING = re.compile(r"^###\s+`([^`]+)`\s*$")


def _normalise(title: str) -> str:
    return re.sub(r"\s+", " ", title.replace("->", "→")).strip().casefold()


def socket_doc_events() -> dict[str, dict[str, str]]:
    """{section title (normalised): {event name: the text of its section}} of socketio.md."""
    sections: dict[str, dict[str, str]] = {}
    section = event = None
    for line in SOCKETIO_DOC.read_text(encoding="utf-8").splitlines():
        if m := _HEADING2.match(line):
            section, event = _normalise(m.group(1)), None
            sections.setdefault(section, {})
        elif (m := _EVENT_HEADING.match(line)) and section is not None:
            event = m.group(1)
            assert event not in sections[section], f"socketio.md: `{event}` twice under {section!r}"
            sections[section][event] = ""
        elif line.startswith("### "):
            event = None  # some other sub-heading: not an event
        elif event is not None:
            sections[section][event] += line + "\n"
    return sections


def _section(sections: dict, title: str) -> dict[str, str]:
    key = _normalise(title)
    assert key in sections, f"socketio.md needs a section '## {title}'"
    return sections[key]


def _table_rows(text: str) -> set[str]:
    """The first cells of a Markdown table: its row names."""
    rows = set()
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.strip().startswith("|") and cells and not set(cells[0]) <= set("-: "):
            rows.add(cells[0].casefold())
    return rows


# ---------------------------------------------------------------- reading the app

_CONVERTER = re.compile(r"<(?:[A-Za-z_][A-Za-z0-9_]*(?:\([^)]*\))?:)?([A-Za-z_][A-Za-z0-9_]*)>")


def openapi_template(rule: str) -> str:
    """``/api/booths/<slug>/staff/<int:user_id>`` -> ``/api/booths/{slug}/staff/{user_id}``."""
    return _CONVERTER.sub(r"{\1}", rule)


def app_operations(app) -> set[tuple[str, str]]:
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.rule == "/api" or rule.rule.startswith("/api/") or rule.rule in EXTRA_PATHS:
            for method in (rule.methods or set()) - IGNORED_METHODS:
                out.add((method, openapi_template(rule.rule)))
    return out


def registered_socket_events() -> dict[str, set[str]]:
    """{namespace: event names} of the handlers on the Socket.IO server (Flask-SocketIO
    hands ``on_event`` handlers to ``server.on`` once the server exists, and keeps those
    registered earlier in ``socketio.handlers``)."""
    from exhibition.extensions import socketio

    found: dict[str, set[str]] = {}
    server = getattr(socketio, "server", None)
    assert server is not None, "create_app did not initialise the Socket.IO server"
    for namespace, handlers in (getattr(server, "handlers", None) or {}).items():
        found.setdefault(namespace or "/", set()).update(handlers)
    for name, _handler, namespace in getattr(socketio, "handlers", []) or []:
        found.setdefault(namespace or "/", set()).add(name)
    class_based = list((getattr(server, "namespace_handlers", None) or {}).values())
    class_based += list(getattr(socketio, "namespace_handlers", None) or [])
    for handler in class_based:  # class-based namespaces: their on_<event> methods
        found.setdefault(getattr(handler, "namespace", None) or "/", set()).update(
            name[3:] for name in dir(handler) if name.startswith("on_") and callable(getattr(handler, name)))
    return found


# The calls that name an event, and where the event is: position (without self) and keyword.
# ``publish``: exhibition.realtime.publish (bare, or as realtime./publishing.publish; not a
# Redis client's publish); ``emit``: Flask-SocketIO's (bare, socketio.emit, super().emit; not
# a logging handler's); ``Event``: the presence event (a call with arguments; threading's
# and icalendar's Event() take none).
BASE_PUBLISHERS = {"publish": (0, "event"), "emit": (0, "event"), "Event": (0, "name")}
PUBLISH_OWNERS = {"realtime", "publishing"}
EMIT_OWNERS = {"socketio"}


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _is_base_publisher(call: ast.Call) -> bool:
    func = call.func
    name = _call_name(func)
    if name not in BASE_PUBLISHERS:
        return False
    if name == "Event":
        return isinstance(func, ast.Name) and bool(call.args or call.keywords)
    if isinstance(func, ast.Name):
        return True
    owner = func.value
    if name == "publish":
        return isinstance(owner, ast.Name) and owner.id in PUBLISH_OWNERS
    return ((isinstance(owner, ast.Name) and owner.id in EMIT_OWNERS)
            or (isinstance(owner, ast.Call) and _call_name(owner.func) == "super"))


def _event_argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if len(call.args) > position and not isinstance(call.args[position], ast.Starred):
        return call.args[position]
    return None


def _parameters(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    names = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    if names and names[0] in ("self", "cls"):
        names = names[1:]
    return names


def _functions(trees):
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield path, node


def _calls(node):
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            yield call


class _Publishers:
    """The calls that publish: the base ones, and helpers that pass their own parameter on
    as the event (a private helper ``_x`` only within its own file)."""

    def __init__(self) -> None:
        self.helpers: dict[tuple[Path | None, str], tuple[int, str]] = {}

    def add(self, path: Path, name: str, spec: tuple[int, str]) -> bool:
        key = (path if name.startswith("_") else None, name)
        if key in self.helpers:
            return False
        self.helpers[key] = spec
        return True

    def spec(self, path: Path, call: ast.Call) -> tuple[int, str] | None:
        if _is_base_publisher(call):
            return BASE_PUBLISHERS[_call_name(call.func)]
        name = _call_name(call.func)
        if name is None:
            return None
        return self.helpers.get((path if name.startswith("_") else None, name))


def publisher_scan() -> tuple[dict[str, list[str]], list[str]]:
    """({event name: [file:line, …]}, [places where the event is neither a string literal,
    nor a parameter forwarded by a publishing helper, nor a presence Event's ``.name``])."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
             for path in sorted(PACKAGE.rglob("*.py"))}
    publishers = _Publishers()
    forwarding: set[tuple[Path, int]] = set()  # calls that pass on their function's parameter
    changed = True
    while changed:  # a helper that passes its own parameter on as the event publishes too
        changed = False
        for path, fn in _functions(trees):
            params = _parameters(fn)
            for call in _calls(fn):
                spec = publishers.spec(path, call)
                arg = _event_argument(call, *spec) if spec else None
                if isinstance(arg, ast.Name) and arg.id in params:
                    forwarding.add((path, call.lineno))
                    if not _is_base_publisher_def(fn):
                        changed |= publishers.add(path, fn.name, (params.index(arg.id), arg.id))
    events: dict[str, list[str]] = {}
    unknown: list[str] = []
    for path, tree in trees.items():
        for call in _calls(tree):
            spec = publishers.spec(path, call)
            if not spec:
                continue
            arg = _event_argument(call, *spec)
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                events.setdefault(arg.value, []).append(where)
            elif isinstance(arg, ast.Attribute) and arg.attr == "name":
                pass  # a presence Event's name: collected where the Event is made
            elif (path, call.lineno) not in forwarding:
                unknown.append(where)
    return events, unknown


def _is_base_publisher_def(fn) -> bool:
    """``def publish(event, …)`` / ``def emit(self, event, …)`` are the base publishers themselves."""
    return fn.name in ("publish", "emit")


# ---------------------------------------------------------------- completeness

def test_every_http_route_is_described_and_nothing_stale(app):
    served = app_operations(app)
    documented = set(documented_operations(load_openapi()))
    missing = sorted(served - documented)
    stale = sorted(documented - served)
    assert not missing, f"routes the app serves but docs/api/openapi.yaml does not describe: {missing}"
    assert not stale, f"docs/api/openapi.yaml describes routes the app does not serve: {stale}"
    assert any(path == "/api/csrf" for _m, path in served)  # the scan found the API at all


def test_every_socket_handler_is_described_and_nothing_stale(app):
    registered = registered_socket_events()
    assert set(registered) <= {"/"}, f"socketio.md covers the default namespace only, not {sorted(registered)}"
    handlers = registered.get("/", set()) - LIFECYCLE_EVENTS
    assert handlers, "no Socket.IO handlers found: has the way they are registered changed?"
    documented = set(_section(socket_doc_events(), CLIENT_SECTION))
    assert not handlers - documented, (
        f"Socket.IO handlers without a section under '## {CLIENT_SECTION}' in docs/api/socketio.md: "
        f"{sorted(handlers - documented)}")
    assert not documented - handlers, (
        f"docs/api/socketio.md '## {CLIENT_SECTION}' describes events no handler serves: "
        f"{sorted(documented - handlers)}")


def test_every_published_event_is_described_and_nothing_stale():
    events, _unknown = publisher_scan()
    assert events, "the scan found no published events: has publish() been renamed?"
    published = set(events)
    documented = set(_section(socket_doc_events(), SERVER_SECTION))
    missing = {name: events[name] for name in sorted(published - documented)}
    assert not missing, (
        f"events the code publishes without a section under '## {SERVER_SECTION}' in "
        f"docs/api/socketio.md: {missing}")
    assert not documented - published, (
        f"docs/api/socketio.md '## {SERVER_SECTION}' describes events nothing publishes: "
        f"{sorted(documented - published)}")


def test_every_published_event_has_a_name_the_scan_can_read():
    """An event name built at run time would slip past the completeness check above."""
    _events, unknown = publisher_scan()
    assert not unknown, (
        "publish/emit calls whose event is neither a string literal nor a forwarded parameter "
        f"(name the event literally, so docs/api/socketio.md can be checked): {unknown}")


def test_socket_event_sections_have_their_tables():
    sections = socket_doc_events()
    for name, text in _section(sections, CLIENT_SECTION).items():
        rows = _table_rows(text)
        for row in ("payload", "ack on success", "errors"):
            assert row in rows, f"socketio.md client event `{name}` lacks the table row '{row}'"
    for name, text in _section(sections, SERVER_SECTION).items():
        rows = _table_rows(text)
        for row in ("payload", "to", "when"):
            assert row in rows, f"socketio.md server event `{name}` lacks the table row '{row}'"


# ---------------------------------------------------------------- the document itself

def test_openapi_is_valid_3_1():
    from openapi_spec_validator import validate  # requirements-test.txt

    doc = load_openapi()
    assert str(doc.get("openapi", "")).startswith("3.1."), "openapi.yaml must be OpenAPI 3.1"
    validate(doc)


def test_openapi_conventions():
    doc = load_openapi()
    schemas = doc["components"]["schemas"]
    assert REQUIRED_SCHEMAS <= set(schemas), f"missing schemas: {sorted(REQUIRED_SCHEMAS - set(schemas))}"
    codes = set(schemas["Error"]["properties"]["error"]["properties"]["code"]["enum"])
    assert SPEC_ERROR_CODES <= codes, f"Error.code lacks {sorted(SPEC_ERROR_CODES - codes)}"
    error_schema = resolve(doc, {"$ref": "#/components/schemas/Error"})
    problems = []
    for (method, path), op in documented_operations(doc).items():
        where = f"{method} {path}"
        roles = op.get("x-roles")
        if not roles or not isinstance(roles, list) or not set(roles) <= KNOWN_ROLES:
            problems.append(f"{where}: x-roles must be a non-empty list of {sorted(KNOWN_ROLES)}, not {roles!r}")
            roles = []
        responses = op.get("responses") or {}
        if not any(str(code).startswith("2") for code in responses):
            problems.append(f"{where}: no success answer")
        if method != "GET":
            csrf = [p for p in operation_parameters(doc, path, op)
                    if p.get("in") == "header" and p.get("name") == "X-CSRFToken"]
            if not csrf or not csrf[0].get("required"):
                problems.append(f"{where}: needs the required header parameter X-CSRFToken")
            if "403" not in responses:
                problems.append(f"{where}: needs the 403 answer (csrf)")
        if "anyone" not in roles and "401" not in responses:
            problems.append(f"{where}: needs the 401 answer (login required)")
        if "organiser" in roles and "anyone" not in roles and "user" not in roles and "403" not in responses:
            problems.append(f"{where}: needs the 403 answer (role)")
        for code, answer in responses.items():
            if str(code)[0] != "4":
                continue
            schema = resolve(doc, ((resolve(doc, answer).get("content") or {})
                                   .get("application/json") or {}).get("schema"))
            if schema is not error_schema:
                problems.append(f"{where}: answer {code} must use #/components/schemas/Error")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- the claims hold

def _concrete(path: str, slug: str = "no-such-booth") -> str:
    return path.replace("{slug}", slug).replace("{user_id}", "999999").replace(
        "{session_id}", "999999").replace("{meeting_id}", "999999")


def test_access_claims_hold_anonymously(app, anon):
    """Anonymous callers get 401 wherever x-roles does not say anyone, and every non-GET
    without the token gets 403 csrf."""
    doc = load_openapi()
    wrong = []
    for (method, path), op in sorted(documented_operations(doc).items()):
        url = _concrete(path)
        if method != "GET":
            answer = anon.http.open(url, method=method, json={})
            code = (answer.get_json(silent=True) or {}).get("error", {}).get("code")
            if answer.status_code != 403 or code != "csrf":
                wrong.append(f"{method} {path} without X-CSRFToken: {answer.status_code} {code}")
        if "anyone" not in (op.get("x-roles") or []):
            answer = anon._send(method, url, json={} if method != "GET" else None)
            code = (answer.get_json(silent=True) or {}).get("error", {}).get("code")
            if answer.status_code != 401 or code != "unauthenticated":
                wrong.append(f"{method} {path} anonymous: {answer.status_code} {code}, documented as login required")
    assert not wrong, "\n".join(wrong)


def test_role_claims_hold_for_an_attendee(app, make_user, client_for):
    """An attendee gets 403 forbidden from every route documented for organisers (and
    booth staff) only, on a booth that exists."""
    staff = make_user("staff")
    booth = factories.booth(app, "reference-booth", staff=[staff])
    attendee = client_for(make_user("attendee"))
    wrong = []
    for (method, path), op in sorted(documented_operations(load_openapi()).items()):
        roles = op.get("x-roles") or []
        if not roles or not set(roles) <= {"organiser", "booth_staff"}:
            continue
        answer = attendee._send(method, _concrete(path, booth.slug), json={} if method != "GET" else None)
        code = (answer.get_json(silent=True) or {}).get("error", {}).get("code")
        if answer.status_code != 403 or code != "forbidden":
            wrong.append(f"{method} {path} as an attendee: {answer.status_code} {code}, documented as {roles}")
    assert not wrong, "\n".join(wrong)


def test_the_event_scan_sees_new_events(tmp_path, monkeypatch):
    """The scan itself: a new event published in any of the supported ways is found, so
    the completeness check above fails until socketio.md describes it."""
    package = tmp_path / "exhibition"
    (package / "area").mkdir(parents=True)
    (package / "area" / "services.py").write_text(
        "from exhibition.extensions import socketio\n"
        "from exhibition import realtime\n"
        "from exhibition.realtime.publishing import publish\n"
        "from exhibition.realtime.presence import Event\n"
        "import threading, logging\n"
        "def _tell(kind, payload, user_ids):\n"
        "    for uid in user_ids:\n"
        "        realtime.publish(kind, payload, room=realtime.user_room(uid))\n"
        "def notify(user, what):\n"
        "    publish(what, {})\n"
        "def changes():\n"
        "    publish('one', {})\n"
        "    realtime.publish(event='two', payload={})\n"
        "    socketio.emit('three', {})\n"
        "    _tell('four', {}, [1])\n"
        "    notify(None, 'five')\n"
        "    made = Event('six', {}, 'lobby')\n"
        "    publish(made.name, made.payload)\n"
        "    threading.Event()\n"
        "    logging.Handler().emit('not an event')\n"
        "    realtime.client.publish('redis-channel', 'x')\n",
        encoding="utf-8")
    (package / "other.py").write_text(
        "def _tell(x):\n    return x\n"
        "def elsewhere():\n    _tell('not an event: another file\\'s private helper')\n",
        encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", package)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    events, unknown = publisher_scan()
    assert set(events) == {"one", "two", "three", "four", "five", "six"}
    assert unknown == []
