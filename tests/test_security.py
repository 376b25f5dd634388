"""Security: scraped text stays text, links stay http(s), nothing is fetched, nothing unasked is loaded.

End to end, as a user runs it: hostile pages go through ``newsdigest run``
(with every network socket refused) and ``newsdigest digest``; the HTML
digest must show the scraped markup as text and link only http(s) URLs.
"""

from __future__ import annotations

import html as html_lib
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from html_elements import parse_html

from hostile import STORY, STORY_MARKER, article_html
from pipeline.document import Document
from pipeline.runner import Pipeline

ROOT = Path(__file__).resolve().parents[1]
NEWSDIGEST = Path(sys.executable).with_name("newsdigest")

#: Scraped strings that would run or inject something if written out unescaped.
PAYLOADS = [
    "<script>alert('pwned')</script>",
    '"><img src=x onerror=alert(1)>',
    "</title><script>steal()</script>",
    "<a href='javascript:alert(2)'>click</a>",
]
#: URLs a page may claim; only the http(s) ones may ever become links.
HOSTILE_URLS = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
]

#: Installed as ``sitecustomize`` in every process of the run: refuses every
#: connection or datagram over IP (Unix sockets, which the worker pool uses,
#: stay allowed) and every name lookup, and logs each attempt, in case a
#: library swallows the error.
NO_NETWORK = textwrap.dedent(
    """
    import os, socket

    _LOG = os.environ["NEWSDIGEST_TEST_NETLOG"]
    _real_socket = socket.socket

    def _refuse(what):
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {what}\\n")
        raise OSError(f"network access blocked by the test: {what}")

    class _GuardedSocket(_real_socket):
        # Creating a socket is allowed (urllib3 probes IPv6 support on import);
        # reaching anything over IP is not.
        def _guard(self, what, address):
            if self.family in (socket.AF_INET, socket.AF_INET6):
                _refuse(f"{what}{address!r}")

        def connect(self, address):
            self._guard("connect", address)
            return super().connect(address)

        def connect_ex(self, address):
            self._guard("connect_ex", address)
            return super().connect_ex(address)

        def sendto(self, data, *args):
            self._guard("sendto", args[-1])
            return super().sendto(data, *args)

    socket.socket = _GuardedSocket
    socket.create_connection = lambda *a, **k: _refuse(f"create_connection{a[:1]}")
    socket.getaddrinfo = lambda *a, **k: _refuse(f"getaddrinfo{a[:2]}")
    socket.gethostbyname = lambda *a, **k: _refuse(f"gethostbyname{a[:1]}")
    """
)


def newsdigest(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(NEWSDIGEST), *args], cwd=cwd, env={**os.environ, **(env or {})},
        capture_output=True, text=True, timeout=300,
    )


def hostile_page(n: int, url: str) -> str:
    """The story, with every payload as scraped text (escaped in the page, literal once extracted)."""
    escaped = [html_lib.escape(p) for p in PAYLOADS]
    title = f"{escaped[0]} Flood wall approved, part {n}"
    paragraphs = STORY[:2] + [f"A reader wrote: {p} and then left." for p in escaped] + STORY[2:]
    head = f'<link rel="canonical" href="{html_lib.escape(url)}"><meta property="og:url" content="{html_lib.escape(url)}">'
    return article_html(paragraphs, title=title, head=head)


@pytest.fixture(scope="module")
def offline_run(tmp_path_factory):
    """Hostile pages through ``newsdigest run`` with networking refused, then ``digest``."""
    root = tmp_path_factory.mktemp("security")
    pages = root / "pages"
    pages.mkdir()
    urls = HOSTILE_URLS + ["https://news.example.org/flood-wall"]
    for n, url in enumerate(urls):
        (pages / f"page{n}.html").write_text(hostile_page(n, url), encoding="utf-8")
    guard = root / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NO_NETWORK, encoding="utf-8")
    netlog = root / "network-attempts.log"
    env = {
        "PYTHONPATH": os.pathsep.join([str(guard), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "NEWSDIGEST_TEST_NETLOG": str(netlog),
    }
    run = newsdigest("run", "pages", "-o", "out.jsonl", "--workers", "2", cwd=root, env=env)
    digest = newsdigest("digest", "out.jsonl", "-o", "digest.html", cwd=root, env=env)
    return root, run, digest, netlog, len(urls)


def test_the_pipeline_runs_with_networking_blocked(offline_run):
    root, run, digest, netlog, count = offline_run
    assert run.returncode == 0, run.stderr
    assert digest.returncode == 0, digest.stderr
    records = [json.loads(line) for line in (root / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == count and all(STORY_MARKER in r["text"] for r in records)
    assert not netlog.exists(), "network access attempted:\n" + netlog.read_text(encoding="utf-8")


def test_the_network_guard_does_block(tmp_path):
    """The guard above is real: the same sitecustomize stops a plain connection attempt."""
    (tmp_path / "sitecustomize.py").write_text(NO_NETWORK, encoding="utf-8")
    netlog = tmp_path / "log"
    result = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))"],
        env={**os.environ, "PYTHONPATH": str(tmp_path), "NEWSDIGEST_TEST_NETLOG": str(netlog)},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0 and "network access blocked" in result.stderr
    assert netlog.read_text(encoding="utf-8").strip()


def test_scraped_markup_is_text_in_the_records(offline_run):
    root, *_ = offline_run
    records = [json.loads(line) for line in (root / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    # The page escaped the payloads; extraction must hand them on as the text they were.
    assert any("<script>alert('pwned')</script>" in r["text"] for r in records)


def test_scraped_text_is_escaped_in_the_html_digest(offline_run):
    root, *_ = offline_run
    page = (root / "digest.html").read_text(encoding="utf-8")
    assert "pwned" in page  # the payload is shown ...
    for payload in PAYLOADS:
        assert payload not in page  # ... but never as markup
    assert not re.search(r"<script\b(?![^>]*application/ld\+json)", page, re.IGNORECASE)
    assert not re.search(r"<img\b", page, re.IGNORECASE)
    # Escaped payload text may read "onerror=" (shown as text); no element may carry an on* attribute.
    handlers = [(tag, name) for tag, attrs in parse_html(page).tags for name in attrs if name.lower().startswith("on")]
    assert not handlers


def test_only_http_links_in_the_html_digest(offline_run):
    root, *_ = offline_run
    page = (root / "digest.html").read_text(encoding="utf-8")
    # Parsed, so that escaped payload text such as "src=x" does not count: only real attributes.
    targets = [value or "" for _, attrs in parse_html(page).tags
               for name, value in attrs.items() if name.lower() in {"href", "src", "action", "formaction"}]
    assert "https://news.example.org/flood-wall" in targets
    for target in targets:
        assert target.startswith(("https://", "http://", "#")), target


def test_external_entities_are_never_read():
    page = '<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>' + article_html(after="<p>&xxe;</p>")
    outcome = Pipeline().process(Document(id="xxe", source="xxe", html=page))
    assert outcome.reject is None and STORY_MARKER in outcome.document.text
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    assert not hostname or hostname not in outcome.document.text


#: Source that must never appear in the core or the built-in plugins.
FORBIDDEN = {
    # Deserialising pickles runs code: nothing may load one from a file or a
    # string. (The local engine's pipes to its own workers pickle, as all of
    # multiprocessing does; that stays between processes of one run.)
    "pickle": re.compile(
        r"\bpickle\.(?:load|loads|Unpickler)\b|^\s*(?:import|from)\s+(?:dill|cloudpickle|shelve|marshal|joblib)\b"
        r"|\ballow_pickle\s*=\s*True|\btorch\.load\s*\(",
        re.M,
    ),
    "eval/exec": re.compile(r"(?<![\w.])(?:eval|exec)\s*\("),
    "network client": re.compile(
        r"^\s*(?:import|from)\s+(?:requests|urllib3|httpx|aiohttp|http\.client|urllib\.request|ftplib|smtplib)\b"
        r"|\burlopen\s*\(|\bfetch_url\s*\(|\bnltk\.download\s*\(",
        re.M,
    ),
}


@pytest.mark.parametrize("kind", sorted(FORBIDDEN))
def test_no_pickle_eval_or_network_client_in_the_source(kind):
    found = []
    for path in sorted([*ROOT.joinpath("pipeline").rglob("*.py"), *ROOT.joinpath("plugins").rglob("*.py")]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if FORBIDDEN[kind].search(line) and not line.lstrip().startswith("#"):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


# --- Plugins load only from entry points or an explicit --plugin ------------


EVIL_PLUGIN = textwrap.dedent(
    """
    from pipeline.hookspecs import hookimpl

    @hookimpl
    def newsdigest_clean(document):
        document.text = document.text + "\\nINJECTED BY A PLUGIN NOBODY ASKED FOR"
        return None
    """
)


@pytest.fixture
def evil(tmp_path):
    """A plugin module sitting in the working directory and on the path, named like a plugin."""
    for name in ("newsdigest_evil.py", "newsdigest_plugin.py", "conftest.py"):
        (tmp_path / name).write_text(EVIL_PLUGIN, encoding="utf-8")
    (tmp_path / "page.html").write_text(article_html(), encoding="utf-8")
    return tmp_path


def test_a_module_on_the_path_is_not_loaded_unless_named(evil):
    env = {"PYTHONPATH": str(evil)}
    listed = newsdigest("plugins", "--all", cwd=evil, env=env)
    assert listed.returncode == 0, listed.stderr
    names = {row["name"] for row in json.loads(listed.stdout)["plugins"]}
    assert not any("evil" in name or name in {"newsdigest_plugin", "conftest"} for name in names), names

    run = newsdigest("run", "page.html", "-o", "out.jsonl", "--workers", "1", cwd=evil, env=env)
    assert run.returncode == 0, run.stderr
    assert "INJECTED" not in (evil / "out.jsonl").read_text(encoding="utf-8")


def test_an_explicit_plugin_option_loads_it(evil):
    env = {"PYTHONPATH": str(evil)}
    run = newsdigest("run", "page.html", "-o", "out.jsonl", "--workers", "1", "--plugin", "newsdigest_evil",
                     cwd=evil, env=env)
    assert run.returncode == 0, run.stderr
    assert "INJECTED" in (evil / "out.jsonl").read_text(encoding="utf-8")


def _can_unshare_network() -> bool:
    try:
        return subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.mark.skipif(not _can_unshare_network(), reason="needs `unshare -n` (util-linux, and the right to make a network namespace)")
def test_the_pipeline_runs_in_a_network_namespace_with_no_network(tmp_path):
    """A second, kernel-level check: no interface but a down loopback, yet the run works."""
    (tmp_path / "page.html").write_text(hostile_page(0, "https://news.example.org/a"), encoding="utf-8")
    result = subprocess.run(
        ["unshare", "-n", str(NEWSDIGEST), "run", "page.html", "-o", "out.jsonl", "--workers", "1"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    [record] = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert STORY_MARKER in record["text"]
