"""Site profiles: boilerplate learned from many documents of the same site.

A paragraph that recurs, once normalised, across many documents from one
host is not part of any one article: it is the site's appeal box, footer,
standing disclaimer or newsletter prompt. :func:`learn_profiles` counts, per
host, in how many documents each normalised paragraph occurs and keeps those
seen in at least ``min_documents`` documents *and* at least ``min_share`` of
the host's documents. Profiles are saved as JSON and reused by later runs
(``[clean] profiles = "profiles.json"``).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.document import Document

#: Version of the JSON layout written by :func:`save_profiles`.
PROFILE_FORMAT = 1

_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
#: A run of characters that are not letters or digits (at the start of a string).
_NON_WORD_RUN = re.compile(r"[\W_]*")


@dataclass
class SiteProfile:
    """Recurring paragraphs of one host.

    :param host: the host name, without ``www.``.
    :param documents: how many documents of the host the profile was learnt from.
    :param paragraphs: normalised paragraph -> number of documents it occurred in.
    """

    host: str
    documents: int
    paragraphs: dict[str, int] = field(default_factory=dict)


def normalise(paragraph: str) -> str:
    """The form paragraphs are compared in: NFKC, lower case, digits as ``0``, spaces collapsed."""
    text = unicodedata.normalize("NFKC", paragraph).lower()
    text = _SPACE.sub(" ", _DIGITS.sub("0", text))
    # Strip the edges that are not letters or digits: matching the runs at
    # both ends (the end by reversing) is several times faster than one
    # regex looking for a run that ends the string.
    start = _NON_WORD_RUN.match(text).end()
    if start == len(text):
        return ""
    end = len(text) - _NON_WORD_RUN.match(text[::-1]).end()
    return text[start:end].strip()


def document_host(document: Document) -> str | None:
    """The host of the document's URL without ``www.``, or ``None``."""
    if not document.url:
        return None
    try:
        host = urlsplit(document.url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def learn_profiles(
    documents: Iterable[Document], *, min_documents: int = 5, min_share: float = 0.1
) -> dict[str, SiteProfile]:
    """Learn one profile per host from extracted documents (``text`` set).

    :param documents: documents after extraction, before cleaning; those
        without a URL or text are skipped.
    :param min_documents: a paragraph must occur in at least this many
        documents of the host...
    :param min_share: ...and in at least this share of them.
    :returns: host -> profile, only for hosts where something recurs.
    """
    seen: dict[str, Counter[bytes]] = defaultdict(Counter)
    texts: dict[bytes, str] = {}
    totals: Counter[str] = Counter()
    for document in documents:
        host = document_host(document)
        if host is None or not document.text:
            continue
        totals[host] += 1
        counts = seen[host]
        for key in {normalise(p) for p in document.text.split("\n")} - {""}:
            # Count digests, not texts, so memory stays small on big runs;
            # keep the text only once a paragraph has recurred.
            digest = hashlib.blake2b(f"{host}\n{key}".encode(), digest_size=12).digest()
            counts[digest] += 1
            if counts[digest] == 2:
                texts[digest] = key
    profiles: dict[str, SiteProfile] = {}
    for host, counts in seen.items():
        total = totals[host]
        needed = max(min_documents, min_share * total)
        recurring = {
            texts[digest]: count
            for digest, count in counts.items()
            if count >= needed and count >= 2
        }
        if recurring:
            profiles[host] = SiteProfile(host, total, dict(sorted(recurring.items())))
    return profiles


def merge_profiles(
    old: dict[str, SiteProfile], new: dict[str, SiteProfile]
) -> dict[str, SiteProfile]:
    """Profiles of both; for a host in both, the one learnt from more documents."""
    merged = dict(old)
    for host, profile in new.items():
        if host not in merged or profile.documents >= merged[host].documents:
            merged[host] = profile
    return merged


def save_profiles(profiles: dict[str, SiteProfile], path: str | Path) -> None:
    """Write profiles as JSON (readable, sorted, one host per key)."""
    data = {
        "format": PROFILE_FORMAT,
        "sites": {
            host: {"documents": p.documents, "paragraphs": p.paragraphs}
            for host, p in sorted(profiles.items())
        },
    }
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def load_profiles(path: str | Path) -> dict[str, SiteProfile]:
    """Read profiles written by :func:`save_profiles`; ``ValueError`` if the file is not one."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != PROFILE_FORMAT:
        raise ValueError(f"{path}: not a newsdigest site-profile file (format {PROFILE_FORMAT})")
    return {
        host: SiteProfile(host, int(site["documents"]), dict(site["paragraphs"]))
        for host, site in data["sites"].items()
    }
