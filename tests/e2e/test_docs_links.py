"""The README and docs/ stand alone: every relative link leads to a file of the repository
and, with an anchor, to a heading of it (as GitHub makes their anchors); no link leaves the
repository but to Odoo's own documentation; no page cites the requirements document's
section numbers or the directory beside the repository; every page is reachable from
docs/index.md."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
# Generated from the schema by another command (`odlm schema --format markdown`); its
# links are checked here, its text by tests/config/test_editor_schema.py.
GENERATED = DOCS / "configuration-reference.md"
# The only site outside the repository a page may link to: Odoo's own documentation.
OUTSIDE_HOSTS = ("odoo.com", "www.odoo.com")

_FENCE = re.compile(r"^(```|~~~).*?^\1\s*$", re.S | re.M)
_CODE_SPAN = re.compile(r"(`+).+?\1", re.S)
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$", re.M)


def pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def prose(path: Path) -> str:
    """The page without its code blocks and code spans, where brackets are not links."""
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    return _CODE_SPAN.sub("", text)


def links(path: Path) -> list[str]:
    return _LINK.findall(prose(path))


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: the text of links and code kept, lower case,
    punctuation dropped but hyphens, each space a hyphen."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor, a repeated one numbered as GitHub numbers it."""
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    found: set[str] = set()
    for _, heading in _HEADING.findall(text):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def test_the_slugs_are_githubs() -> None:
    assert slug("Undo a run, and recover from an interrupted one") == (
        "undo-a-run-and-recover-from-an-interrupted-one"
    )
    assert slug("Report on the history: `odlm report`") == "report-on-the-history-odlm-report"
    assert slug("6. Watch it with `odlm status`") == "6-watch-it-with-odlm-status"
    assert slug("Check that today's run happened") == "check-that-todays-run-happened"


def test_every_relative_link_leads_to_a_file_and_a_heading_of_the_repository() -> None:
    broken = []
    for page in pages():
        for target in links(page):
            address = urlparse(target)
            where = f"{page.relative_to(ROOT)}: {target}"
            if address.scheme in ("http", "https"):
                host = address.hostname or ""
                if not host.endswith(OUTSIDE_HOSTS):
                    broken.append(f"{where} (a link outside the repository)")
                continue
            if address.scheme or target.startswith("/"):
                broken.append(f"{where} (not a path relative to the page)")
                continue
            file, _, anchor = target.partition("#")
            linked = (page.parent / unquote(file)).resolve() if file else page
            if not linked.is_relative_to(ROOT):
                broken.append(f"{where} (outside the repository)")
            elif not linked.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{where} (no such heading)")
    assert broken == []


def test_no_page_cites_what_the_reader_does_not_have() -> None:
    cited = []
    for page in pages():
        text = page.read_text(encoding="utf-8")
        if "../shared" in text:
            cited.append(f"{page.relative_to(ROOT)}: ../shared")
        if "§" in text and page != GENERATED:
            cited.append(f"{page.relative_to(ROOT)}: §")
    assert cited == []


def test_every_page_is_reachable_from_the_index() -> None:
    index = DOCS / "index.md"
    assert index.resolve() in {
        (README.parent / t.partition("#")[0]).resolve() for t in links(README)
    }
    reached = {index.resolve()}
    waiting = [index]
    while waiting:
        page = waiting.pop()
        for target in links(page):
            file = target.partition("#")[0]
            if not file or urlparse(target).scheme:
                continue
            linked = (page.parent / unquote(file)).resolve()
            if linked.suffix == ".md" and linked.parent == DOCS and linked not in reached:
                reached.add(linked)
                waiting.append(linked)
    assert sorted(p.name for p in DOCS.glob("*.md") if p.resolve() not in reached) == []
