"""HTTP hardening (issue 8, part 5): security headers on every kind of response, no
server name or version, request size limits, no debug mode, and rate limiting."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from benchmarks.load import ServeProcess, build_output
from hamar_graph import __version__
from hamar_graph.config import Settings
from hamar_graph.store.base import Store
from web import create_app, security
from web.views import sparql

DUMP = f"hamar-graph-{__version__}.ttl"
SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"


def csp(response: TestResponse | dict[str, str]) -> dict[str, list[str]]:
    """The Content-Security-Policy as directive → sources."""
    headers = response.headers if isinstance(response, TestResponse) else response
    value = headers["Content-Security-Policy"]
    out: dict[str, list[str]] = {}
    for part in value.split(";"):
        name, *sources = part.split()
        out[name] = sources
    return out


def assert_hardened(headers: dict[str, str] | object, where: str) -> None:
    """Every security header is there with its value, and no Server header names a product."""
    h = {k.lower(): v for k, v in dict(headers).items()}  # type: ignore[call-overload]
    policy = csp({"Content-Security-Policy": h.get("content-security-policy", "missing-csp")})
    assert policy["default-src"] == ["'self'"], where
    assert policy["script-src"] == ["'self'"], where  # no inline, no eval, no other origin
    assert policy["style-src"] == ["'self'"], where
    assert policy["img-src"] == ["'self'", "data:"], where
    assert policy["object-src"] == ["'none'"], where
    assert policy["frame-ancestors"] == ["'none'"], where
    assert policy["base-uri"] == ["'self'"], where
    assert policy["form-action"] == ["'self'"], where
    assert h.get("x-content-type-options") == "nosniff", where
    assert h.get("referrer-policy") == "same-origin", where
    permissions = h.get("permissions-policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions, (where, feature)
    assert h.get("x-frame-options") == "DENY", where
    server = h.get("server")
    assert server is None or server == security.SERVER_NAME, (where, server)
    assert "strict-transport-security" not in h, where  # plain HTTP: HSTS is meaningless


@pytest.fixture(scope="module")
def shared_app(settings: Settings, store: Store) -> Iterator[Flask]:
    """One app for the many requests below (its query pool starts once)."""
    app = create_app({"out_dir": settings.out_dir, "store_path": settings.store_path}, store=store)
    app.config["TESTING"] = True
    yield app
    sparql.close_pool(app)


@pytest.fixture()
def client(shared_app: Flask) -> Iterator[FlaskClient]:
    with shared_app.test_client() as c:
        yield c


FORM = {"Content-Type": "application/x-www-form-urlencoded"}

#: (method, path, request headers, body, expected status): one of each kind of response.
RESPONSES = [
    # pages
    ("GET", "/", {"Accept": "text/html"}, None, 200),
    ("GET", "/id/vennskapsby/lund", {"Accept": "text/html"}, None, 200),
    ("GET", "/id/vennskapsby/lund", {"Accept": "text/turtle"}, None, 200),
    ("GET", "/id/vennskapsby/lund.jsonld", {}, None, 200),
    ("GET", "/id/vennskapsby/", {"Accept": "text/html"}, None, 200),
    ("GET", "/sok?q=lund", {"Accept": "text/html"}, None, 200),
    ("GET", "/fullstendighet", {"Accept": "text/html"}, None, 200),
    ("GET", "/def/", {"Accept": "text/html"}, None, 200),
    ("GET", "/static/css/site.css", {}, None, 200),
    # the SPARQL endpoint
    ("GET", "/sparql", {"Accept": "text/html"}, None, 200),
    ("GET", "/sparql", {"Accept": "text/turtle"}, None, 200),
    (
        "GET",
        "/sparql?query=" + quote(SELECT),
        {"Accept": "application/sparql-results+json"},
        None,
        200,
    ),
    ("POST", "/sparql", {**FORM, "Accept": "text/csv"}, "query=" + quote(SELECT), 200),
    (
        "OPTIONS",
        "/sparql",
        {"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
        None,
        204,
    ),
    # catalogue, VoID, dumps
    ("GET", "/catalog", {"Accept": "text/turtle"}, None, 200),
    ("GET", "/catalog", {"Accept": "text/html"}, None, 200),
    ("GET", "/catalog/dcat-ap-no", {"Accept": "application/ld+json"}, None, 200),
    ("GET", "/.well-known/void", {"Accept": "text/turtle"}, None, 200),
    ("GET", "/download/", {"Accept": "text/html"}, None, 200),
    ("GET", f"/download/{DUMP}", {}, None, 200),
    ("GET", f"/download/{DUMP}", {"Accept-Encoding": "gzip"}, None, 200),
    ("GET", "/sitemap.xml", {}, None, 200),
    ("GET", "/robots.txt", {}, None, 200),
    # errors
    ("GET", "/id/vennskapsby/finnes-ikke", {"Accept": "text/html"}, None, 404),
    ("GET", "/id/vennskapsby/finnes-ikke", {"Accept": "text/turtle"}, None, 404),
    ("GET", "/download/finnes-ikke.ttl", {}, None, 404),
    ("GET", "/sparql?query=SELECT+%7B", {"Accept": "application/sparql-results+json"}, None, 400),
    ("POST", "/sparql", FORM, "update=" + quote("DROP ALL"), 403),
    ("GET", "/sparql?query=" + quote(SELECT), {"Accept": "image/png"}, None, 406),
    ("POST", "/sparql", {"Content-Type": "image/png"}, "x", 415),
    ("PUT", "/sparql", {}, None, 405),
    ("POST", "/sparql", {"Content-Type": "application/sparql-query"}, "#" * 100_001, 413),
    ("GET", "/sparql?query=" + "x" * 8200, {}, None, 414),
    ("GET", "/id/" + "x" * 8200, {"Accept": "text/html"}, None, 414),
]


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status"),
    RESPONSES,
    ids=[f"{m} {p[:40]} {h.get('Accept', '')} {s}" for m, p, h, _b, s in RESPONSES],
)
def test_every_response_carries_the_security_headers(
    client: FlaskClient,
    method: str,
    path: str,
    headers: dict[str, str],
    body: str | None,
    status: int,
) -> None:
    with client.open(path, method=method, headers=headers, data=body) as response:
        assert response.status_code == status, response.get_data(as_text=True)[:300]
        assert_hardened(response.headers, f"{method} {path[:60]}")


def test_conditional_304_carries_the_security_headers(client: FlaskClient) -> None:
    first = client.get("/catalog", headers={"Accept": "text/turtle"})
    etag = first.headers["ETag"]
    again = client.get("/catalog", headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304
    assert_hardened(again.headers, "304")


def test_an_internal_error_is_a_plain_500_with_the_headers_and_no_trace(
    settings: Settings, store: Store
) -> None:
    app = create_app({"out_dir": settings.out_dir}, store=store)  # not TESTING: as served

    def boom() -> str:
        raise RuntimeError("secret internal detail /work/main/hamar_graph")

    app.add_url_rule("/boom", view_func=boom)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert_hardened(response.headers, "500")
    body = response.get_data(as_text=True)
    assert "secret internal detail" not in body
    assert "Traceback" not in body


def test_https_requests_get_strict_transport_security(client: FlaskClient) -> None:
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == security.HSTS


def test_no_view_can_weaken_script_src_or_frame_ancestors(app: Flask) -> None:
    with app.test_request_context("/"):
        for sources in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:"):
            with pytest.raises(ValueError, match="may not allow"):
                security.allow("script-src", sources)
            with pytest.raises(ValueError, match="may not allow"):
                security.allow("default-src", sources)
        with pytest.raises(ValueError, match="stays 'none'"):
            security.allow("frame-ancestors", "https://example.org")


def test_a_view_may_widen_another_directive_for_its_own_response(
    settings: Settings, store: Store
) -> None:
    app = create_app({"out_dir": settings.out_dir, "store_path": settings.store_path}, store=store)
    app.config["TESTING"] = True

    def widened() -> str:
        security.allow("connect-src", "https://example.org")
        return "ok"

    app.add_url_rule("/widened", view_func=widened)
    client = app.test_client()
    assert csp(client.get("/widened"))["connect-src"] == ["'self'", "https://example.org"]
    assert csp(client.get("/"))["connect-src"] == ["'self'"]


# --- request size limits -------------------------------------------------------------------


def test_limits_follow_the_settings(settings: Settings, store: Store) -> None:
    app = create_app({"max_url_bytes": 100, "max_query_bytes": 50}, store=store)
    app.config["TESTING"] = True
    client = app.test_client()
    assert client.get("/sok?q=" + "a" * 94).status_code == 414  # 101 bytes
    assert client.get("/sok?q=" + "a" * 93).status_code == 200  # 100 bytes
    response = client.post("/sok", data="b" * 51, content_type="text/plain")
    assert response.status_code == 413
    assert "50 bytes" in response.get_data(as_text=True)
    response = client.get("/" + quote("å" * 40))  # 40 characters, 240 bytes as sent
    assert response.status_code == 414
    assert "HAMAR_GRAPH_MAX_URL_BYTES" in response.get_data(as_text=True)


# --- the debug mode --------------------------------------------------------------------------


def test_create_app_refuses_flask_debug(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(security.DebugModeRefused, match="FLASK_DEBUG"):
        create_app({"out_dir": settings.out_dir}, store=store)


def test_debug_switched_on_later_serves_nothing(settings: Settings, store: Store) -> None:
    app = create_app({"out_dir": settings.out_dir}, store=store)
    assert app.debug is False
    app.debug = True
    response = app.test_client().get("/")
    assert response.status_code == 503
    assert "debug mode" in response.get_data(as_text=True)


def test_the_development_server_is_refused(app: Flask) -> None:
    with pytest.raises(security.DebugModeRefused, match="hamar-graph serve"):
        app.run(port=1)


def test_the_served_app_has_debug_off(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from web.server import settings_environment, worker_app

    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    served = settings.replace(store="memory", query_workers=1)
    for name, value in settings_environment(served).items():
        monkeypatch.setenv(name, value)
    app = worker_app()  # what each server process runs
    try:
        assert app.debug is False
        assert app.testing is False
    finally:
        app.extensions["hamar"].close()


# --- rate limiting ---------------------------------------------------------------------------


def test_rate_limit_answers_429_with_retry_after(settings: Settings, store: Store) -> None:
    app = create_app({"out_dir": settings.out_dir, "rate_limit": 5}, store=store)
    app.config["TESTING"] = True
    client = app.test_client()
    statuses = [client.get("/robots.txt").status_code for _ in range(5)]
    assert statuses == [200] * 5
    refused = client.get("/robots.txt")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "5 a minute" in refused.get_data(as_text=True)
    assert_hardened(refused.headers, "429")
    other = client.get("/robots.txt", environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert other.status_code == 200  # per client address
    with client.get("/static/css/site.css") as asset:
        assert asset.status_code == 200  # assets do not count


def test_rate_limit_off_by_default(client: FlaskClient, shared_app: Flask) -> None:
    assert shared_app.extensions["hamar"].settings.rate_limit == 0
    assert all(client.get("/robots.txt").status_code == 200 for _ in range(300))


# --- against a real `hamar-graph serve` -------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    out = tmp_path_factory.mktemp("served")
    build_output(out)
    server = ServeProcess(out, args=["--workers", "1", "--query-workers", "1"]).start()
    try:
        yield server
    finally:
        server.close()


def raw_http(port: int, request: bytes) -> bytes:
    """Send ``request`` bytes and read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def head_of(answer: bytes) -> dict[str, str]:
    lines = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}


@pytest.mark.server
@pytest.mark.parametrize(
    "path", ["/", "/id/vennskapsby/lund", "/sparql", "/catalog", f"/download/{DUMP}", "/nope"]
)
def test_served_responses_are_hardened_and_name_no_server_product(
    served: ServeProcess, path: str
) -> None:
    answer = raw_http(
        served.port, f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
    )
    assert answer.startswith(b"HTTP/1.1 200") or answer.startswith(b"HTTP/1.1 404")
    headers = head_of(answer)
    assert headers["server"] == security.SERVER_NAME
    assert "granian" not in answer.lower().decode("latin-1")
    assert_hardened(headers, path)


@pytest.mark.server
def test_served_errors_before_the_app_name_no_server_product(served: ServeProcess) -> None:
    answer = raw_http(served.port, b"NOT A REQUEST\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"granian" not in answer.lower()
    assert "server" not in head_of(answer)


@pytest.mark.server
def test_served_request_limits(served: ServeProcess) -> None:
    long_url = "/sparql?query=" + "x" * 9000
    answer = raw_http(
        served.port, f"GET {long_url} HTTP/1.1\r\nHost: l\r\nConnection: close\r\n\r\n".encode()
    )
    assert answer.startswith(b"HTTP/1.1 414")
    body = b"#" * 100_001
    answer = raw_http(
        served.port,
        b"POST /sparql HTTP/1.1\r\nHost: l\r\nConnection: close\r\n"
        b"Content-Type: application/sparql-query\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body,
    )
    assert answer.startswith(b"HTTP/1.1 413")
    assert_hardened(head_of(answer), "413")


@pytest.mark.server
def test_serve_refuses_to_start_in_debug_mode(tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("debug")
    server = ServeProcess(out, env={"FLASK_DEBUG": "1"}, args=["--workers", "1"])
    with pytest.raises(RuntimeError) as caught:
        server.start(timeout=60)
    server.close()
    assert "FLASK_DEBUG" in str(caught.value)
