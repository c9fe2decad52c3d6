"""The plain-text reader on the real 2019 and 2014 documents and on crafted bad ones."""

import pytest

from leitbild.concept import textimport

from .conftest import FIXTURES, SEED_2014, SEED_2019


@pytest.fixture(scope="module")
def doc2019():
    return textimport.parse_bytes(SEED_2019.read_bytes(), "003.txt")


def test_2019_structure(doc2019):
    fields = doc2019.fields
    assert [f.number for f in fields] == [f"6.{n}" for n in range(1, 12)]
    cross = fields[0]
    assert cross.cross_cutting and all(not f.cross_cutting for f in fields[1:])
    assert len(cross.goals) == 8 and all(g.kind == "guiding" for g in cross.goals)
    assert sum(1 for f in fields[1:] for g in f.goals if g.kind == "guiding") == 31
    assert doc2019.edition_number == 3


def test_2019_field_6_2_nesting_and_split_bullet(doc2019):
    f62 = doc2019.fields[1]
    subs = [g for g in f62.goals if g.kind == "sub"]
    assert len(subs) == 5
    assert sum(len(g.children) for g in subs) == 3
    split = subs[3]
    assert split.text.startswith("Wir verbessern die Beratungsmöglichkeiten zu rechtlichen Fragen")
    assert "(z.B. Gruppe der ausländischen Studierenden," in split.text
    assert split.text.endswith("Wohnen).")
    kind, owner = doc2019.footnote_owners[6]
    assert kind == "goal" and "Runden Tisch" in owner.text
    assert owner is subs[1].children[0]


def test_2019_groups_and_chapters(doc2019):
    f66 = doc2019.fields[5]
    assert [g.group for g in f66.goals if g.kind == "sub"].count("Arbeit") == 6
    assert {g.group for g in f66.goals if g.kind == "sub"} == {"Arbeit", "Wirtschaft"}
    numbered = [c for c in doc2019.chapters if c.kind == "chapter"]
    assert [c.number for c in numbered] == [str(n) for n in range(1, 8)]
    assert numbered[0].title == "Präambel"
    assert [c.kind for c in doc2019.chapters[:3]] == ["foreword", "foreword", "intro"]
    # a paragraph split by a page break (with footnotes between) is healed
    preamble = " ".join(b.items[0] for b in numbered[0].blocks if b.kind == "p")
    assert "breit angelegten partizipativen Prozess versucht" in preamble
    # the foreword split mid-sentence across pages is one paragraph
    foreword = " ".join(b.items[0] for b in doc2019.chapters[1].blocks)
    assert "Die Verbesserung der Schulsituation der Kinder mit Migrationsvorgeschichte" in foreword
    institutions = numbered[-1].blocks
    assert len(institutions) == 1 and institutions[0].kind == "ul"
    assert len(institutions[0].items) > 100
    assert set(doc2019.footnotes) == set(range(1, 9))


def test_2014_partial_edition():
    doc = textimport.parse_bytes(SEED_2014.read_bytes(), "001.txt")
    assert len(doc.fields) == 1
    cross = doc.fields[0]
    assert cross.cross_cutting and cross.number == ""
    assert cross.title.startswith("Übergeordnete Leitziele")
    assert len(cross.goals) == 7
    assert doc.chapters[0].title.startswith("Die Integrationsleitziele")


def test_another_citys_document_imports():
    doc = textimport.parse_bytes((FIXTURES / "other-city.txt").read_bytes(), "x.txt")
    assert [f.number for f in doc.fields] == ["2.1", "2.2"]
    assert doc.fields[0].cross_cutting
    f = doc.fields[1]
    assert [g.kind for g in f.goals] == ["guiding", "sub", "sub"]
    assert f.goals[1].group == "Ausbildung" and len(f.goals[1].children) == 1
    assert doc.footnote_owners[2][1] is f.goals[2]
    assert doc.footnote_owners[1][0] == "chapter"


@pytest.mark.parametrize(
    ("name", "line", "fragment"),
    [
        ("bad-nested-first.txt", 7, "nested bullet"),
        ("bad-footnote.txt", 7, "footnote marker 3 has no footnote text"),
        ("bad-footnote.txt", 9, "footnote 4 has no marker"),
        ("bad-sequence.txt", 9, "field 1.3 is out of sequence: expected 1.2"),
        ("bad-stray-text.txt", 9, "text in the goal list of field 1.1"),
        ("bad-empty-section.txt", 5, "the Leitziele list of field 1.1 has no goals"),
        ("bad-no-fields.txt", 4, "no field of action found"),
    ],
)
def test_bad_documents_name_the_line(name, line, fragment):
    with pytest.raises(textimport.DocumentError) as info:
        textimport.parse_bytes((FIXTURES / name).read_bytes(), name)
    assert (line, fragment) in [(p[0], fragment) for p in info.value.problems if fragment in p[1]]
    assert f"{name}:{line}:" in str(info.value)


def test_not_utf8_names_the_line():
    with pytest.raises(textimport.DocumentError) as info:
        textimport.parse_bytes(b"1 Ziele\n\n1.1 Bildung\n\xff\xfe kaputt\n", "latin.txt")
    assert info.value.problems[0][0] == 4
    assert "not UTF-8" in str(info.value)
