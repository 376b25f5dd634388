"""HTML rendering of a :class:`~pipeline.digest.Digest`: one self-contained page.

The page needs nothing beside itself: CSS is inline, there is no script and
no external resource, and a Content-Security-Policy says so to the browser,
so even a string that slipped past escaping could neither run nor load
anything. Every scraped string goes through :func:`html.escape` (quotes
included, as some land in attributes); only :attr:`DigestArticle.link`
(checked to be ``http(s)``) becomes an ``href``, besides the page's own
``#g<n>`` contents links. Each article carries the ``lang`` of its language
and ``dir="auto"`` for right-to-left scripts; the page's own words are marked
English.
"""

from __future__ import annotations

from html import escape

from pipeline.digest import Digest, DigestArticle, DigestGroup, language_name

_CSS = """
:root{color-scheme:light dark;--fg:#1c1d1f;--muted:#5b6068;--bg:#fff;--card:#f5f6f8;
--line:#dadde2;--link:#0b57d0;--accent:#e8eefc}
@media (prefers-color-scheme:dark){:root{--fg:#e6e7ea;--muted:#a3a8b0;--bg:#131416;
--card:#1d1f23;--line:#34373d;--link:#8ab4f8;--accent:#23304a}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0 auto;max-width:46rem;padding:1rem 1rem 3rem;color:var(--fg);background:var(--bg);
font:1.0625rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",
"Helvetica Neue",Arial,sans-serif;overflow-wrap:anywhere}
h1{font-size:1.75rem;line-height:1.2;margin:.75rem 0 .25rem}
h2{font-size:1.3rem;line-height:1.3;margin:2.25rem 0 .75rem;padding-bottom:.3rem;
border-bottom:2px solid var(--line)}
h3{font-size:1.08rem;line-height:1.35;margin:0 0 .3rem}
a{color:var(--link);text-underline-offset:.15em}
h3 a{text-decoration:none}
h3 a:hover,h3 a:focus{text-decoration:underline}
.overview{color:var(--muted);margin:0 0 1rem}
.nowrap{white-space:nowrap}
.count{color:var(--muted);font-weight:normal;font-size:.8em;white-space:nowrap}
nav{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.5rem 1rem}
nav h2{font-size:1rem;margin:.25rem 0;border:0;padding:0}
nav ol{margin:.25rem 0 .5rem;padding-left:1.5rem;columns:2 13rem;column-gap:2rem}
nav li{break-inside:avoid;padding:.15rem 0}
article{background:var(--card);border:1px solid var(--line);border-radius:.5rem;
padding:.75rem 1rem .8rem;margin:0 0 .8rem}
.meta{display:flex;flex-wrap:wrap;align-items:baseline;gap:.2rem .9rem;color:var(--muted);
font-size:.86rem;margin:0 0 .4rem}
.lang{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em;background:var(--accent);
border-radius:.25rem;padding:0 .35rem}
.meta details{flex-basis:100%}
.meta summary{cursor:pointer;width:max-content;max-width:100%}
.meta details ul{margin:.25rem 0 0;padding-left:1.25rem}
.source{font-size:.86rem;color:var(--muted);margin:0 0 .4rem}
.source code{font-size:.95em}
.summary{margin:.2rem 0 0;padding-left:1.25rem}
.summary li{margin:.3rem 0}
.nosummary{color:var(--muted);font-style:italic;margin:.2rem 0 0}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tfoot td{font-weight:600;border-bottom:0}
footer p{color:var(--muted);font-size:.9rem}
"""

# No script, no fetch of anything: the page is complete as written.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def render_html(digest: Digest) -> str:
    """The digest as one HTML page that reads on a phone (375px) and on a desktop."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="color-scheme" content="light dark">',
        f"<title>News digest: {_plural(digest.stats.articles, 'article')}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>News digest</h1>",
        f'<p class="overview">{_overview(digest)}</p>',
        "</header>",
    ]
    if digest.groups:
        parts += _contents(digest)
    parts.append("<main>")
    if not digest.groups:
        parts.append('<p class="nosummary">No articles.</p>')
    for number, group in enumerate(digest.groups, start=1):
        parts += _group(number, group, digest.group_by)
    parts.append("</main>")
    parts += _footer(digest)
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _overview(digest: Digest) -> str:
    text = escape(digest.overview())
    # Keep "2024-03-05" whole instead of breaking at its hyphens on a phone.
    for date in set(digest.date_range() or ()):
        text = text.replace(date, f'<span class="nowrap">{date}</span>')
    return text


def _label(group: DigestGroup, group_by: str) -> str:
    # A site's name is in no language we know (lang=""); dates and language names are ours.
    lang = ' lang=""' if group_by == "site" else ""
    return f"<bdi{lang}>{escape(group.label)}</bdi>"


def _contents(digest: Digest) -> list[str]:
    items = [
        f'<li><a href="#g{number}">{_label(group, digest.group_by)}</a>'
        f' <span class="count">{len(group.articles)}</span></li>'
        for number, group in enumerate(digest.groups, start=1)
    ]
    return ['<nav aria-labelledby="contents">', '<h2 id="contents">Contents</h2>', "<ol>", *items, "</ol>", "</nav>"]


def _group(number: int, group: DigestGroup, group_by: str) -> list[str]:
    count = _plural(len(group.articles), "article")
    parts = [
        f'<section id="g{number}" aria-labelledby="g{number}-title">',
        f'<h2 id="g{number}-title">{_label(group, group_by)} <span class="count">{count}</span></h2>',
    ]
    for article in group.articles:
        parts += _article(article, show_site=group_by != "site")
    parts.append("</section>")
    return parts


def _article(article: DigestArticle, show_site: bool) -> list[str]:
    title = escape(article.title)
    if article.link:
        title = f'<a href="{escape(article.link)}" rel="noopener noreferrer">{title}</a>'
    parts = [f'<article lang="{escape(article.lang_tag)}">', f'<h3 dir="auto">{title}</h3>']
    parts += _meta(article, show_site)
    if article.url and not article.link:
        parts.append(f'<p class="source" lang="en">Source, not linked: <code>{escape(article.url)}</code></p>')
    if article.summary:
        bullets = "".join(f"<li>{escape(sentence)}</li>" for sentence in article.summary)
        parts.append(f'<ul class="summary" dir="auto">{bullets}</ul>')
    else:
        parts.append('<p class="nosummary" lang="en">No summary.</p>')
    parts.append("</article>")
    return parts


def _meta(article: DigestArticle, show_site: bool) -> list[str]:
    when = f'<time datetime="{article.date}" class="nowrap">{article.date}</time>' if article.date else None
    name = escape(language_name(article.language) or "language")
    items = [when or "<span>undated</span>", f'<span class="lang" title="{name}">{escape(article.language)}</span>']
    if show_site:
        items.append(f'<bdi lang="">{escape(article.site)}</bdi>')
    if article.removed_total:
        rules = "".join(
            f'<li>{escape(rule)} <span class="count">×{count}</span></li>'
            for rule, count in sorted(article.removed_by_rule.items())
        )
        items.append(
            f"<details><summary>{_plural(article.removed_total, 'span')} stripped</summary><ul>{rules}</ul></details>"
        )
    else:
        items.append("<span>nothing stripped</span>")
    return ['<div class="meta" lang="en">', *items, "</div>"]


def _footer(digest: Digest) -> list[str]:
    stats = digest.stats
    parts = ["<footer>", "<h2>What was stripped</h2>"]
    if stats.removed_by_rule:
        rows = "".join(
            f'<tr><td>{escape(rule)}</td><td class="n">{count}</td></tr>'
            for rule, count in sorted(stats.removed_by_rule.items(), key=lambda item: (-item[1], item[0]))
        )
        parts += [
            "<table>",
            '<thead><tr><th scope="col">Rule</th><th scope="col" class="n">Spans</th></tr></thead>',
            f"<tbody>{rows}</tbody>",
            f'<tfoot><tr><td>Total</td><td class="n">{stats.removed_total}</td></tr></tfoot>',
            "</table>",
        ]
    else:
        parts.append("<p>Nothing was stripped from these articles.</p>")
    if stats.skipped_lines:
        parts.append(f"<p>{_plural(stats.skipped_lines, 'input line')} could not be read and "
                     f"{'was' if stats.skipped_lines == 1 else 'were'} skipped.</p>")
    parts.append("</footer>")
    return parts
