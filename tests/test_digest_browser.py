"""The HTML digest in a real headless Chromium: the DOM it builds, its layout, screenshots.

Needs Debian's ``chromium`` (``.ci/run`` installs it); skipped with a reason
when absent. Screenshots go to pytest's tmp dir and, when
``NEWSDIGEST_SCREENSHOT_DIR`` is set, there too, for a person to look at.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import struct
import subprocess
from html_elements import parse_html
from pathlib import Path

import pytest

from pipeline.digest import write_digest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
if CHROMIUM is None:
    pytest.skip("no Chromium binary (apt-get install chromium)", allow_module_level=True)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "digest" / "records.jsonl"
FIXTURE_ARTICLES = 17
FIXTURE_GROUPS = 12
PHONE = (390, 844)
NARROW_PHONE = (375, 812)
DESKTOP = (1280, 900)




def chromium(tmp_path: Path, *args: str, timeout: float = 90) -> str:
    """Run headless Chromium with no network chatter and a throw-away profile; return stdout."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        *args,
    ]
    result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("digest") / "digest.html"
    write_digest([FIXTURE], path, group_by="site")
    return path


@pytest.fixture(scope="module")
def dom(page, tmp_path_factory):
    """The DOM Chromium built from the page, serialised after load."""
    dumped = chromium(tmp_path_factory.mktemp("chromium"), f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
                      "--dump-dom", page.as_uri())
    assert "</html>" in dumped
    return parse_html(dumped)


def test_hostile_strings_are_text_in_the_browser_dom(dom):
    tags = {tag for tag, _ in dom.tags}
    assert "script" not in tags and "img" not in tags and "iframe" not in tags and "svg" not in tags
    assert not any(name.startswith("on") for _, attrs in dom.tags for name in attrs)
    assert any("<script>alert('pwned')</script> Breaking: city council votes" in t for t in dom.text["h3"])
    assert '<a href="javascript:alert(2)">click</a>' in " ".join(dom.text["li"])


def test_only_http_links_and_own_anchors_in_the_browser_dom(dom):
    ids = {attrs.get("id") for _, attrs in dom.tags}
    hrefs = [attrs["href"] for attrs in dom.named("a")]
    external = [h for h in hrefs if not h.startswith("#")]
    assert all(h.startswith(("http://", "https://")) for h in external), external
    assert all(h[1:] in ids for h in hrefs if h.startswith("#"))
    assert len(external) == 10
    external_anchors = [attrs for attrs in dom.named("a") if not attrs["href"].startswith("#")]
    assert all(attrs.get("rel") == "noopener noreferrer" for attrs in external_anchors)


def test_articles_groups_and_languages_in_the_browser_dom(dom):
    articles = dom.named("article")
    assert len(articles) == FIXTURE_ARTICLES
    assert len(dom.named("section")) == FIXTURE_GROUPS
    assert len([a for a in dom.named("a") if a["href"].startswith("#g")]) == FIXTURE_GROUPS
    assert {"ar", "de", "en", "ru", "zh-tw", "und"} <= {a["lang"] for a in articles}


def _layout_probe(page: Path, widths: list[int]) -> str:
    """A test-only page holding the digest, unchanged, in iframes of the given widths.

    The digest has no script and its CSP forbids one, so the measuring is done
    from outside: a ``srcdoc`` frame shares the probe's origin.
    """
    frames = "".join(
        f'<iframe id="w{w}" style="width:{w}px;height:800px;border:0;display:block" '
        f'srcdoc="{html.escape(page.read_text(encoding="utf-8"))}"></iframe>'
        for w in widths
    )
    script = """
addEventListener("load", () => {
  const out = {};
  for (const frame of document.querySelectorAll("iframe")) {
    const doc = frame.contentDocument, win = frame.contentWindow;
    const width = doc.documentElement.clientWidth;
    const overflowing = [...doc.body.querySelectorAll("*")]
      .filter(e => e.getBoundingClientRect().right > width + 0.5 || e.getBoundingClientRect().left < -0.5)
      .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
    const article = doc.querySelector("article").getBoundingClientRect();
    out[frame.id] = {
      width, scrollWidth: doc.documentElement.scrollWidth, overflowing,
      articleLeft: article.left, articleWidth: article.width,
      fontSize: parseFloat(win.getComputedStyle(doc.querySelector(".summary li")).fontSize),
      scripts: doc.scripts.length,
    };
  }
  document.body.setAttribute("data-layout", JSON.stringify(out));
});
"""
    return f"<!DOCTYPE html><html><body style='margin:0'>{frames}<script>{script}</script></body></html>"


def test_layout_fits_a_phone_and_keeps_a_readable_measure_on_desktop(page, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text(_layout_probe(page, [NARROW_PHONE[0], DESKTOP[0]]), encoding="utf-8")
    dumped = chromium(tmp_path, f"--window-size={DESKTOP[0] + 40},{DESKTOP[1]}", "--dump-dom", probe.as_uri())
    body = next(attrs for tag, attrs in parse_html(dumped).tags if tag == "body")
    layout = json.loads(body["data-layout"])

    phone = layout[f"w{NARROW_PHONE[0]}"]
    assert phone["scrollWidth"] <= phone["width"], phone  # no sideways scrolling
    assert phone["overflowing"] == [], phone
    assert phone["articleWidth"] >= phone["width"] - 40  # cards use the narrow screen
    assert phone["fontSize"] >= 16

    desktop = layout[f"w{DESKTOP[0]}"]
    assert desktop["scrollWidth"] <= desktop["width"]
    # A readable line length: the column is capped and centred, not stretched to 1280px.
    assert 560 <= desktop["articleWidth"] <= 800, desktop
    assert abs(desktop["articleLeft"] * 2 + desktop["articleWidth"] - desktop["width"]) < 40, desktop
    assert phone["scripts"] == desktop["scripts"] == 0


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize(("name", "size"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_screenshots(page, tmp_path, name, size):
    shot = tmp_path / f"digest-{name}.png"
    chromium(tmp_path, f"--window-size={size[0]},{size[1]}", "--hide-scrollbars", f"--screenshot={shot}", page.as_uri())
    assert _png_size(shot) == size
    assert shot.stat().st_size > 10_000  # a blank page compresses to far less
    keep = os.environ.get("NEWSDIGEST_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
