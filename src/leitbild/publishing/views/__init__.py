"""Pages and downloads of the publishing app, one module per kind of document."""

from .brochure import edition_pdf
from .council import council_paper, council_paper_download
from .reports import report_create, report_detail, report_file, report_list, report_status

__all__ = [
    "council_paper",
    "council_paper_download",
    "edition_pdf",
    "report_create",
    "report_detail",
    "report_file",
    "report_list",
    "report_status",
]
