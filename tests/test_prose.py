"""The learner's prose: numbers come from the run, and the checking's vocabulary stays in the appendix.

Every number a chapter types into a sentence, caption or alt text is either glued from the run or on
the chapter's allow-list (``tests/typed_numbers/<stem>.yml``: constants it sets, exact consequences,
cited facts; `booktools.numbers`). And outside the appendix (``checking.md``), the prose, captions
and visible code comments do not speak of false alarms or of every/any seed: the proof that a page is
right is explained once, there.
"""

import re

import jupytext
import pytest

from booktools import numbers
from booktools.chapters import CHECK_TAG, ROOT, toc_chapters

CHAPTERS = toc_chapters()
CHECKING_VOCABULARY = re.compile(r"false[- ]alarm|\b(every|any) seed|seeds we tried", re.IGNORECASE)


def learner_text(chapter) -> list[tuple[str, str]]:
    """(where, text): markdown cells, captions, alt texts and the comments of visible code cells."""
    pieces = numbers.chapter_prose(chapter)
    for index, cell in enumerate(jupytext.read(chapter).cells):
        if cell.cell_type == "code" and CHECK_TAG not in cell.metadata.get("tags", []):
            comments = [line for line in cell.source.splitlines() if line.lstrip().startswith("#")]
            pieces.append((f"comments of code cell {index}", "\n".join(comments)))
    return pieces


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_typed_number_is_glued_or_allowed(chapter):
    found = numbers.problems(chapter)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_the_learners_prose_does_not_speak_of_false_alarms_or_seeds(chapter):
    found = [
        f"{where}: {match.group(0)!r}"
        for where, text in learner_text(chapter)
        for match in CHECKING_VOCABULARY.finditer(text)
    ]
    assert not found, f"{chapter.name}: the checking's vocabulary belongs in checking.md: {found}"


def test_the_appendix_explains_the_checks():
    text = (ROOT / "checking.md").read_text()
    assert CHECKING_VOCABULARY.search(text), "the appendix is where false alarms and seeds are explained"


def test_the_numbers_lint_catches_a_typed_number(tmp_path):
    chapter = tmp_path / "toy.md"
    chapter.write_text(
        "---\njupytext:\n  text_representation:\n    format_name: myst\n---\n\n"
        "The slope is 0.31, glued {glue:text}`toy-slope:.2f`, in code `x = 0.5`, in math $x^2 + 1.5$.\n"
    )
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    found = numbers.problems(chapter, allowed)
    assert [p.split(": ")[-1].split(" ")[0] for p in found if "is typed" in p] == ["'1.5'", "'0.31'"]
    (allowed / "toy.yml").write_text('"0.31": "set: the true slope"\n"1.5": "oops"\n"7": "set: unused"\n')
    found = numbers.problems(chapter, allowed)
    assert any("'7' is not typed" in p for p in found) and any("'1.5' must say" in p for p in found)
    assert not any("is typed" in p for p in found)
