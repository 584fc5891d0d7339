"""Report: the per-document records -> a static HTML review report.

Consumes what a run leaves in the output folder: ``.records/<doc_id>.json`` (each
document's DocumentResult, read one at a time so memory stays flat), the caption
files ``captions/<doc_id>.vtt`` and ``.chapters.vtt`` (linked, and copied inline so
the player's tracks load from ``file://``), and the run report (statuses and errors
of failed documents). Produces ``report/index.html`` (one sortable, filterable row
per document and corpus charts as inline SVG) and ``report/docs/<page name>.html``
per document (timed transcript with highlighted mentions, player with captions and
chapters tracks, cue list with rule breaks, chapters, warnings, review candidates).

Pages are static and self-contained: no network, no external scripts or fonts,
every asset inline; readable with scripts off; the same inputs give byte-identical
pages. names (document page names and relative links), charts (inline SVG),
pages (pure functions building the HTML), write (streaming the records to pages).
"""

from pipeline.report.names import page_name
from pipeline.report.pages import IndexRow, document_html, index_html
from pipeline.report.write import REPORT_DIR, report_stale, write_report

__all__ = [
    "REPORT_DIR",
    "IndexRow",
    "document_html",
    "index_html",
    "page_name",
    "report_stale",
    "write_report",
]
