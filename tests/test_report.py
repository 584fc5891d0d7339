"""The review report: pages parsed with html.parser and checked against the tables;
escaping; page names; determinism; the `report` command; and a real browser opening
the pages from file:// (headless Chromium through Selenium)."""

from __future__ import annotations

import math
import os
import shutil
import struct
import subprocess
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.model import INTERVENTION
from pipeline.report import page_name, write_report
from pipeline.report.pages import cue_checks, profile_for, row_anchor
from pipeline.run.corpus import Inputs, run_corpus
from pipeline.run.records import Record, read_record, record_path, record_paths, write_record
from pipeline.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts" / "babies-in-mind" / "methods-of-working-first-year.txt"
SAMPLE_ID = "babies-in-mind/methods-of-working-first-year"
EVIL_ID = "odd-course/evil-talk"
EVIL = """\
Skip to 0 minutes and 0 seconds PRESENTER: Welcome. Here is a tag <script>alert("x")</script> and an image <img src=x onerror=alert(2)> in the text, plus "quotes" & ampersands.

Skip to 0 minutes and 4 seconds Mellow Babies is a group programme. Video interaction guidance helps parents in London.

Skip to 0 minutes and 8 seconds The Little Steps programme is new. Thank you for listening to this very short talk today.
"""
runner = CliRunner()


# --- parsing --------------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


@dataclass
class Page(HTMLParser):
    """Every element with its attributes and its own text, in document order."""

    elements: list[Element] = field(default_factory=list)
    stack: list[Element] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for element in self.stack:
            element.text += data

    def find(self, tag: str | None = None, **attrs: str) -> list[Element]:
        return [
            el
            for el in self.elements
            if (tag is None or el.tag == tag)
            and all(el.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def by_id(self, ident: str) -> Element:
        found = self.find(id=ident)
        assert len(found) == 1, f"id {ident!r} appears {len(found)} times"
        return found[0]

    def ids(self) -> list[str]:
        return [el.attrs["id"] for el in self.elements if "id" in el.attrs]

    def inside(self, container_id: str, tag: str) -> list[Element]:
        """Elements ``tag`` after the element with id ``container_id`` and before its end
        (its rows, for a table)."""
        start = self.elements.index(self.by_id(container_id))
        container = self.elements[start]
        out = []
        for el in self.elements[start + 1 :]:
            if el.tag == container.tag and el.tag in ("table", "section", "ol"):
                break
            if el.tag == tag:
                out.append(el)
        return out


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def body_rows(page: Page, table_id: str) -> list[Element]:
    return [row for row in page.inside(table_id, "tr") if row.text.strip() and "id" in row.attrs]


# --- a corpus run, once ------------------------------------------------------------------


def _inputs(base: Path) -> Path:
    inputs = base / "in"
    (inputs / "babies-in-mind").mkdir(parents=True)
    shutil.copy(SAMPLE, inputs / "babies-in-mind" / SAMPLE.name)
    (inputs / "Odd Course").mkdir()
    (inputs / "Odd Course" / "Evil Talk.txt").write_text(EVIL, encoding="utf-8")
    (inputs / "manifest.csv").write_text(
        "path,duration,video_url\nOdd Course/Evil Talk.txt,0:12,\n", encoding="utf-8"
    )
    return inputs


@pytest.fixture(scope="module")
def run_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("report")
    inputs = _inputs(base)
    out = base / "out"
    settings = Settings(cache_dir=base / "cache", media=False)
    report = run_corpus(Inputs((inputs,)), out, settings)
    assert not report.failed, report.to_json()
    return out


def docs_table(out: Path, name: str) -> list[dict[str, object]]:
    return pq.read_table(out / "index" / f"{name}.parquet").to_pylist()  # type: ignore[no-any-return]


def page_of(out: Path, doc_id: str) -> Path:
    return out / "report" / "docs" / page_name(doc_id)


pytestmark = pytest.mark.model


# --- the index page --------------------------------------------------------------------


def test_index_has_a_row_per_document_matching_the_tables(run_out: Path) -> None:
    page = parse(run_out / "report" / "index.html")
    documents = {d["doc_id"]: d for d in docs_table(run_out, "documents")}
    mentions = docs_table(run_out, "mentions")
    rows = body_rows(page, "documents")
    assert [r.attrs["id"] for r in rows] == [row_anchor(d) for d in sorted(documents)]
    for row in rows:
        doc_id = next(d for d in documents if row_anchor(d) == row.attrs["id"])
        start = page.elements.index(row)
        cells = [el for el in page.elements[start + 1 :] if el.tag == "td"][:12]
        values = [c.attrs["data-v"] for c in cells]
        assert values[1] == "ok"
        assert int(values[3]) == documents[doc_id]["cue_count"]
        assert int(values[2]) == documents[doc_id]["duration_ms"]
        interventions = sum(m["doc_id"] == doc_id and m["label"] == INTERVENTION for m in mentions)
        entities = sum(m["doc_id"] == doc_id for m in mentions) - interventions
        assert (int(values[8]), int(values[9])) == (entities, interventions)
        assert float(values[7]) == 1.0  # every word timed by the estimate here
        assert int(values[10]) == documents[doc_id]["warning_count"]
        link = next(el for el in page.elements[start:] if el.tag == "a")
        assert (run_out / "report" / unquote(link.attrs["href"])).is_file()
        assert link.attrs["href"] == f"docs/{page_name(doc_id)}"


def test_index_charts_are_inline_svg_with_the_limits_marked(run_out: Path) -> None:
    page = parse(run_out / "report" / "index.html")
    for ident in ("chart-speed", "chart-interventions", "chart-durations"):
        page.by_id(ident)
    svgs = page.find("svg")
    assert len(svgs) == 3
    titles = [el.text for el in page.find("title")]
    cues = len(docs_table(run_out, "cues"))
    assert f"Reading speed of {cues} cues (cps)" in titles
    assert f"Duration of {cues} cues (s)" in titles
    assert any(el.attrs.get("class") == "limit" for el in page.find("line"))
    assert any(el.attrs.get("class") == "target" for el in page.find("line"))
    bars = [t for t in titles if t.startswith("Parent-Infant Psychotherapy:")]
    assert bars == ["Parent-Infant Psychotherapy: 5"]
    speed_bars = [el for el in page.find("rect")][:30]
    assert sum(int(el.text.rsplit(": ", 1)[1]) for el in speed_bars) == cues


def test_index_reads_without_scripts(run_out: Path) -> None:
    page = parse(run_out / "report" / "index.html")
    scripts = page.find("script")
    assert len(scripts) == 1 and "src" not in scripts[0].attrs
    box = page.by_id("filter")
    assert "hidden" in box.attrs  # the script shows it; without scripts it is not there
    assert not [el for el in page.elements if "hidden" in el.attrs and el is not box]


# --- the document page -----------------------------------------------------------------


@pytest.mark.parametrize("doc_id", [SAMPLE_ID, EVIL_ID])
def test_document_page_matches_the_tables(run_out: Path, doc_id: str) -> None:
    page = parse(page_of(run_out, doc_id))
    cues = [c for c in docs_table(run_out, "cues") if c["doc_id"] == doc_id]
    rows = body_rows(page, "cues")
    assert [r.attrs["id"] for r in rows] == [f"cue-{c['idx'] + 1}" for c in cues]
    assert [float(r.attrs["data-start"]) for r in rows] == [c["start_ms"] / 1000 for c in cues]
    segments = [s for s in docs_table(run_out, "segments") if s["doc_id"] == doc_id]
    paragraphs = page.find("div", class_="para")
    assert [p.attrs["id"] for p in paragraphs] == [f"p-{s['idx']}" for s in segments]
    assert [float(p.attrs["data-start"]) for p in paragraphs] == [
        s["start_ms"] / 1000 for s in segments
    ]
    mentions = [m for m in docs_table(run_out, "mentions") if m["doc_id"] == doc_id]
    marks = [el for el in page.find("mark") if "data-label" in el.attrs]
    expected = sorted((m["text"], m["label"]) for m in mentions)
    assert sorted((el.text, el.attrs["data-label"]) for el in marks) == expected
    for el in marks:
        mention = next(m for m in mentions if m["text"] == el.text)
        assert f"source: {mention['source']}" in el.attrs["title"]
        if mention["canonical_name"]:
            assert str(mention["canonical_name"]) in el.attrs["title"]
            assert "categories: " in el.attrs["title"]
    page.by_id("legend")
    legend = {el.text for el in page.find("mark") if "data-label" not in el.attrs}
    assert legend == {m["label"] for m in mentions}
    for paragraph in paragraphs:
        assert "estimate" in paragraph.text  # each paragraph's timing source
    chapters = (run_out / "captions" / f"{doc_id}.chapters.vtt").read_text()
    assert len(page.inside("chapters", "li")) == chapters.count(" --> ")


def test_rule_breaks_are_marked_and_counted(run_out: Path) -> None:
    record = read_record(record_path(run_out, EVIL_ID))
    assert record is not None and record.result.quality is not None
    page = parse(page_of(run_out, EVIL_ID))
    rows = body_rows(page, "cues")
    checks = cue_checks(record.result.cues, profile_for(record.result.quality))
    speed_rows = [r for r in rows if "speed" in r.attrs["data-rules"].split()]
    assert len(speed_rows) == record.result.quality.over_max_speed > 0
    assert page.by_id("count-speed").text == f"reading speed: {len(speed_rows)}"
    assert page.by_id("count-broken").text == (
        f"cues breaking a rule: {sum(bool(c.broken) for c in checks)}"
    )
    badges = [el for el in page.find("span", class_="rule")]
    assert len(badges) == sum(len(c.broken) for c in checks)
    sample = parse(page_of(run_out, SAMPLE_ID))
    assert sample.by_id("count-broken").text == "cues breaking a rule: 0"


def test_transcript_text_is_escaped_and_runs_nothing(run_out: Path) -> None:
    html = page_of(run_out, EVIL_ID).read_text()
    page = parse(page_of(run_out, EVIL_ID))
    assert len(page.find("script")) == 1  # ours, at the end
    assert not page.find("img")
    handlers = [k for el in page.elements for k in el.attrs if k.startswith("on")]
    assert handlers == []
    assert 'Here is a tag <script>alert("x")</script> and an image' in "".join(page.text)
    assert "<img src=x onerror=alert(2)>" in "".join(page.text)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    track_text = page.find("audio") + page.find("video")
    assert not track_text  # no media here: no player


def test_links_and_anchors_resolve(run_out: Path) -> None:
    pages = [run_out / "report" / "index.html", *sorted((run_out / "report" / "docs").iterdir())]
    assert len(pages) == 3
    for path in pages:
        page = parse(path)
        ids = page.ids()
        assert len(ids) == len(set(ids)), path
        for el in page.elements:
            for attr in ("href", "src"):
                if attr not in el.attrs:
                    continue
                url = urlsplit(el.attrs[attr])
                assert url.scheme in ("", "data"), f"{path}: external {el.attrs[attr]}"
                if url.scheme == "data":
                    continue
                if url.path:
                    target = (path.parent / unquote(url.path)).resolve()
                    assert target.is_file(), f"{path}: {el.attrs[attr]} is missing"
                if url.fragment and not url.path:
                    assert url.fragment in ids, f"{path}: no anchor {url.fragment}"
    sample = parse(page_of(run_out, SAMPLE_ID))
    hrefs = [el.attrs["href"] for el in sample.find("a") if "href" in el.attrs]
    assert f"../../captions/{SAMPLE_ID}.vtt" in hrefs
    assert f"../../captions/{SAMPLE_ID}.chapters.vtt" in hrefs


def test_no_network_needed(run_out: Path) -> None:
    for path in (run_out / "report").rglob("*.html"):
        page = parse(path)
        assert not page.find("link", rel="stylesheet")
        assert all("src" not in el.attrs for el in page.find("script"))
        assert "http://" not in path.read_text() and "https://" not in path.read_text()


# --- names, determinism, the command ----------------------------------------------------


def test_page_names_are_valid_and_unique() -> None:
    ids = [
        "course/step",
        "course.step",
        "Course/Step",
        "course/step/",
        "/course",
        "a b/<c>&\"d'",
        "ünï/cödé",
        "..",
        ".",
        "_2f",
        "x" * 400,
        "x" * 399 + "y",
        "",
    ]
    names = [page_name(i) for i in ids]
    assert len(set(names)) == len(names)
    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        assert name.endswith(".html") and not name.startswith(".")
        assert "/" not in name and "\\" not in name
        assert len(name.encode()) <= 255
        assert all(c.isascii() and (c.isalnum() or c in "-._~") for c in name)
    assert page_name("course/step") == "course.step.html"


def test_odd_document_ids_get_working_pages(run_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(run_out, out, ignore=shutil.ignore_patterns("report"))
    record = read_record(record_path(out, EVIL_ID))
    assert record is not None
    odd = ["Odd Course/Ünï & <b>", "odd course/ünï & <b>", "a%20b/#c?d"]
    for doc_id in odd:
        transcript = replace(record.result.transcript, doc_id=doc_id)
        result = replace(record.result, transcript=transcript)
        write_record(out, Record(doc_id, record.key, record.input, record.outputs, result))
    doc_ids = [doc_id for doc_id, _ in record_paths(out)]
    write_report(out, doc_ids)
    index = parse(out / "report" / "index.html")
    links = {
        el.attrs["href"] for el in index.find("a") if el.attrs.get("href", "").startswith("docs/")
    }
    assert len(links) == len(doc_ids) == 5
    for href in links:
        assert (out / "report" / unquote(href)).is_file()
    ids = index.ids()
    assert len(ids) == len(set(ids)) and not [i for i in ids if any(c.isspace() for c in i)]
    page = parse(page_of(out, odd[0]))
    assert page.by_id("transcript")
    assert "Ünï & <b>" in "".join(page.text)


def test_pages_are_byte_identical_from_run_and_command(run_out: Path, tmp_path: Path) -> None:
    before = {p.relative_to(run_out): p.read_bytes() for p in (run_out / "report").rglob("*.html")}
    out = tmp_path / "out"
    shutil.copytree(run_out, out, ignore=shutil.ignore_patterns("report"))
    result = runner.invoke(app, ["report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.stderr
    after = {p.relative_to(out): p.read_bytes() for p in (out / "report").rglob("*.html")}
    assert after == before


def test_report_command_names_an_empty_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert str(tmp_path / "nothing") in result.stderr
    assert "pipeline run" in result.stderr


def test_run_rewrites_a_missing_report_and_keeps_a_current_one(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path)
    out = tmp_path / "out"
    settings = Settings(tags=False, media=False)
    run_corpus(Inputs((inputs,)), out, settings)
    index = out / "report" / "index.html"
    first = index.stat().st_mtime_ns
    run_corpus(Inputs((inputs,)), out, settings)
    assert index.stat().st_mtime_ns == first  # nothing changed: not rewritten
    shutil.rmtree(out / "report")
    report = run_corpus(Inputs((inputs,)), out, settings)
    assert not report.index_written
    assert index.is_file() and page_of(out, SAMPLE_ID).is_file()


def test_failed_documents_are_listed_with_their_errors(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path)
    (inputs / "broken.txt").write_text("Intro\nSkip to 0 minutes and 75 seconds Oops.\n")
    out = tmp_path / "out"
    report = run_corpus(Inputs((inputs,)), out, Settings(tags=False, media=False))
    assert report.failed
    page = parse(out / "report" / "index.html")
    row = page.by_id("doc-broken")
    assert "failed" in row.text and "75 seconds" in row.text
    assert not [el for el in page.find("a") if el.attrs.get("href", "").endswith("broken.html")]
    # `pipeline report` finds the failure in run-report.json
    shutil.rmtree(out / "report")
    write_report(out, [doc_id for doc_id, _ in record_paths(out)])
    assert "75 seconds" in parse(out / "report" / "index.html").by_id("doc-broken").text


# --- the browser ------------------------------------------------------------------------


def _chromium() -> tuple[str, str]:
    """Paths of chromium and chromedriver, installed with apt-get when missing (as
    root); otherwise the test is skipped, saying why."""
    found = shutil.which("chromium"), shutil.which("chromedriver")
    if found[0] and found[1]:
        return found[0], found[1]
    if not shutil.which("apt-get"):
        pytest.skip("chromium and chromium-driver are not installed, and there is no apt-get")
    if os.geteuid() != 0:
        pytest.skip("chromium and chromium-driver are not installed; apt-get needs root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", "chromium", "chromium-driver"],
    ):
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
        if done.returncode != 0:
            pytest.skip(f"cannot install chromium: {' '.join(command)}: {done.stderr[-300:]}")
    found = shutil.which("chromium"), shutil.which("chromedriver")
    if not (found[0] and found[1]):
        pytest.skip("chromium or chromedriver still missing after apt-get install")
    return found[0], found[1]


def _wav(path: Path, seconds: float) -> None:
    """A quiet tone: a media file the browser can play, made here."""
    rate = 8000
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = (
            struct.pack("<h", int(2000 * math.sin(2 * math.pi * 440 * i / rate)))
            for i in range(int(rate * seconds))
        )
        out.writeframes(b"".join(frames))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--mute-audio",
        "--autoplay-policy=no-user-gesture-required",
        "--window-size=1280,1000",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: object, script: str, timeout: float = 10.0) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(script)  # type: ignore[attr-defined]
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def _severe(driver: object) -> list[object]:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]  # type: ignore[attr-defined]


def test_pages_in_a_browser_from_file_urls(browser: object, run_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(run_out, out, ignore=shutil.ignore_patterns("report"))
    record = read_record(record_path(out, EVIL_ID))
    assert record is not None
    media = tmp_path / "media" / "evil-talk.wav"
    media.parent.mkdir()
    _wav(media, 12.0)
    result = replace(record.result, media=str(media))
    write_record(out, replace(record, result=result))
    write_report(out, [doc_id for doc_id, _ in record_paths(out)])
    driver = browser
    driver.get((out / "report" / "index.html").as_uri())  # type: ignore[attr-defined]
    assert (
        driver.execute_script("return document.querySelectorAll('#documents tbody tr').length") == 2
    )  # type: ignore[attr-defined]
    driver.execute_script("document.querySelector('#documents th:nth-child(4) button').click()")  # type: ignore[attr-defined]
    first = "return document.querySelector('#documents tbody tr').id"
    assert driver.execute_script(first) == row_anchor(EVIL_ID)  # type: ignore[attr-defined]
    assert _severe(driver) == []

    driver.get(page_of(out, EVIL_ID).as_uri())  # type: ignore[attr-defined]
    loaded = _wait(
        driver,
        "var t = document.getElementById('captions-track');"
        " return t.readyState === 2 && t.track.cues ? t.track.cues.length : 0",
    )
    vtt = (out / "captions" / f"{EVIL_ID}.vtt").read_text()
    assert loaded == vtt.count(" --> ") == len(result.cues)
    driver.execute_script("document.getElementById('chapters-track').track.mode = 'hidden'")  # type: ignore[attr-defined]
    chapters = _wait(
        driver,
        "var t = document.getElementById('chapters-track');"
        " return t.readyState === 2 && t.track.cues ? t.track.cues.length : 0",
    )
    assert chapters == len(result.chapters) > 0
    assert _wait(driver, "return document.getElementById('player').readyState >= 1")
    cue = driver.find_element("css selector", "#cue-3 .seek")  # type: ignore[attr-defined]
    start = result.cues[2].start_ms / 1000
    cue.click()
    now = driver.execute_script("return document.getElementById('player').currentTime")  # type: ignore[attr-defined]
    assert start - 0.01 <= now <= start + 1.5
    playing = _wait(driver, "var r = document.querySelector('#cues tr.now'); return r && r.id")
    assert playing in ("cue-3", "cue-4")  # the cue on screen is marked as it plays
    paragraph = driver.find_element("css selector", "#p-2 .text")  # type: ignore[attr-defined]
    paragraph.click()
    now = driver.execute_script("return document.getElementById('player').currentTime")  # type: ignore[attr-defined]
    assert 8.0 - 0.01 <= now <= 8.0 + 1.5
    mention = next(m for m in result.mentions if m.text == "Mellow Babies")
    assert mention.start_ms is not None
    driver.find_element("css selector", "mark[data-label=INTERVENTION]").click()  # type: ignore[attr-defined]
    now = driver.execute_script("return document.getElementById('player').currentTime")  # type: ignore[attr-defined]
    assert mention.start_ms / 1000 - 0.01 <= now <= mention.start_ms / 1000 + 1.5
    assert _severe(driver) == []


def test_warnings_and_repairs_show_their_source_lines(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "talk.txt").write_text(
        "Skip to 0 minutes and 2 seconds We donâ€™t start here.\n\n"
        "0:09Skip to 0 minutes and 5 seconds A clock that disagrees <b>with</b> its label.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    run_corpus(Inputs((inputs,)), out, Settings(tags=False, media=False))
    page = parse(page_of(out, "talk"))
    rows = page.inside("warnings", "tr")[1:]  # after the header row
    cells = [el.text for el in page.inside("warnings", "td")]
    assert len(rows) == 1 and cells[0] == "clock-mismatch" and cells[1] == "3"
    assert (
        cells[2]
        == "0:09Skip to 0 minutes and 5 seconds A clock that disagrees <b>with</b> its label."
    )
    repairs = [el.text for el in page.inside("repairs", "td")]
    assert repairs and "mojibake" in " ".join(repairs).lower()
    index = parse(out / "report" / "index.html")
    row = index.by_id("doc-talk")
    assert "warnings" in row.text


def test_a_video_url_gets_a_player_with_both_tracks(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path)
    (inputs / "manifest.csv").write_text(
        "path,duration,video_url\nOdd Course/Evil Talk.txt,0:12,https://example.org/v.mp4\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    run_corpus(Inputs((inputs,)), out, Settings(tags=False, media=False))
    page = parse(page_of(out, EVIL_ID))
    player = page.by_id("player")
    assert player.tag == "video" and player.attrs["src"] == "https://example.org/v.mp4"
    assert player.attrs["preload"] == "none"  # nothing is fetched until it plays
    captions, chapters = page.by_id("captions-track"), page.by_id("chapters-track")
    assert captions.attrs["src"] == f"../../captions/{EVIL_ID}.vtt" and "default" in captions.attrs
    assert captions.attrs["data-vtt"] == (out / "captions" / f"{EVIL_ID}.vtt").read_text()
    assert chapters.attrs["kind"] == "chapters"
    assert chapters.attrs["data-vtt"] == (out / "captions" / f"{EVIL_ID}.chapters.vtt").read_text()
    assert not parse(page_of(out, SAMPLE_ID)).find(id="player")  # no media, no URL: no player
