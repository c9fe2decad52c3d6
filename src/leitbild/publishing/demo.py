"""Demo data: the council paper of the 2023–2025 revision.

Its number and the financing facts (product group 0116, no effect on the budget, fully
mandatory under the NRW participation and integration act) are those of Annex A to
V/0056/2025 (seed 004); the texts are the defaults the system writes from the process.
"""

from leitbild.participation.models import Process

from .council import council_paper_defaults
from .models import CouncilPaper


def demo_load(*, process: Process) -> CouncilPaper:
    existing = CouncilPaper.objects.filter(process=process).first()
    if existing is not None:
        return existing
    paper = council_paper_defaults(process=process)
    paper.reference = "V/0056/2025"
    paper.product_group = "0116"
    paper.product_group_name = "Migration und Integration"
    paper.topics = [value for value, _label in CouncilPaper.Topic.choices]
    paper.relevance = (
        "Die Handlungsfelder des Leitbildes berühren alle Querschnittsthemen; die Umsetzung "
        "seiner Ziele wirkt unmittelbar auf die Teilhabechancen aller Einwohnenden."
    )
    paper.save()
    return paper
