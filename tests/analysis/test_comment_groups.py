"""Comments grouped for reading: the gate on every group, merged bands, folded duplicates."""

from __future__ import annotations

from collections import Counter

import pytest

from analysis.comment_groups import (
    Band,
    CommentRecord,
    fold,
    people_at_least,
    read_comments,
)


def rec(text: str, score: int | None, group: str = "pi", week: str = "2026-W14", **kw):  # type: ignore[no-untyped-def]
    return CommentRecord(text, group, kw.pop("population", group), week, score, **kw)


def test_a_band_of_one_person_never_shows_that_persons_score_beside_their_comment() -> None:
    """The attack: 11 respondents rated 4-5, one rated 1 and wrote the only low comment.
    With bands, the page would print "1–2" next to that comment: the band must not exist."""
    records = [rec("Terrible, nobody answered", 1), *(rec(f"fine {i}", 5) for i in range(3))]
    populations = {"pi": {1: 1, 5: 11}}
    reading = read_comments(records, populations, max_per_person=1)
    assert all(b.low is None or b.low > 2 or b.high is None or b.high > 2 for b in reading.bands)
    shown = [(s.band, c.text) for s in reading.sections for c in s.comments]
    assert all(band is None or not band.holds(1) or band.high == 5 for band, _t in shown)
    # Nothing on the page separates the low comment from the high ones.
    assert reading.bands == ()
    assert [s.band for s in reading.sections] == [None]
    # Asking for the low band by its key is refused, never honoured.
    asked = read_comments(records, populations, max_per_person=1, band="1-2")
    assert asked.refused and asked.band is None and [s.band for s in asked.sections] == [None]


def test_a_small_middle_band_is_merged_into_a_neighbour() -> None:
    records = [rec("slow", 2), rec("ok", 3), rec("great", 5)]
    populations = {"pi": {1: 6, 2: 6, 3: 2, 4: 10, 5: 10}}  # middle band: 2 people
    reading = read_comments(records, populations, max_per_person=1)
    # Merged with the smaller neighbour (12 low against 20 high).
    assert [b.key for b in reading.bands] == ["1-3", "4-5"]
    by_band = {s.band.key: [c.text for c in s.comments] for s in reading.sections if s.band}
    assert by_band == {"1-3": ["ok", "slow"], "4-5": ["great"]}
    populations = {"pi": {1: 12, 2: 12, 3: 2, 4: 5, 5: 5}}
    assert [b.key for b in read_comments(records, populations, 1).bands] == ["1-2", "3-5"]


def test_people_are_counted_from_below_when_someone_answered_several_times() -> None:
    assert people_at_least(20, 2) == 10 and people_at_least(19, 2) == 10
    assert people_at_least(18, 2) == 9 and people_at_least(0, 3) == 0
    records = [rec("a", 1), rec("b", 5)]
    populations = {"pi": {1: 12, 5: 12}}
    assert [b.key for b in read_comments(records, populations, 1).bands] == ["1-2", "4-5"]
    # Twelve low responses may come from six people answering twice: not enough.
    assert read_comments(records, populations, 2).bands == ()


def test_groups_are_split_only_when_every_group_passes() -> None:
    records = [rec("pi text", 4, group="q1", population="pi"), rec("q text", 4, group="q2")]
    records[1] = CommentRecord("q text", "q2", "q", "2026-W15", 4)
    both = {"pi": {4: 10}, "q": {4: 10}}
    reading = read_comments(records, both, 1, group_order=["q1", "q2"])
    assert reading.groups == ("q1", "q2")
    assert [(s.group, s.comments[0].text) for s in reading.sections] == [
        ("q1", "pi text"),
        ("q2", "q text"),
    ]
    only = read_comments(records, both, 1, group="q2")
    assert [s.group for s in only.sections] == ["q2"] and not only.refused
    small = {"pi": {4: 10}, "q": {4: 9}}
    reading = read_comments(records, small, 1, group="q2")
    assert reading.groups == () and reading.refused
    assert [s.group for s in reading.sections] == [None]
    assert {c.text for c in reading.sections[0].comments} == {"pi text", "q text"}


def test_bands_must_pass_in_every_group_shown() -> None:
    records = [
        CommentRecord("pi low", "g1", "pi", "2026-W14", 1),
        CommentRecord("q low", "g2", "q", "2026-W14", 2),
    ]
    # Low band: 10 people in total but only 4 in the quarterly group.
    populations = {"pi": {1: 6, 5: 20}, "q": {2: 4, 5: 20}}
    reading = read_comments(records, populations, 1)
    # Bands per group would isolate 4 low quarterly respondents: the bands hold over all
    # comments only, so they are offered without the split by question.
    assert reading.groups == ()
    assert [b.key for b in reading.bands] == ["1-2", "4-5"]
    asked = read_comments(records, populations, 1, group="g2", band="1-2")
    assert asked.refused and [(s.group, s.band.key) for s in asked.sections] == [(None, "1-2")]
    # With too few low scorers overall as well, the split by question comes back.
    populations = {"pi": {1: 5, 5: 20}, "q": {2: 4, 5: 20}}
    reading = read_comments(records, populations, 1)
    assert reading.groups == ("g1", "g2") and reading.bands == ()


def test_every_filter_combination_rests_on_ten_people() -> None:
    """Whatever the filters asked for, every section shown is a group of at least 10."""
    records = [
        CommentRecord(f"t{i}", g, g, "2026-W14", s)
        for i, (g, s) in enumerate([("a", 1), ("a", 3), ("a", 5), ("b", 2), ("b", 4), ("b", 5)])
    ]
    populations = {"a": {1: 10, 2: 1, 3: 11, 5: 12}, "b": {2: 3, 4: 9, 5: 3}}
    for group in (None, "a", "b", "zz"):
        for band in (None, "1-2", "3", "4-5", "1-3", "3-5", "none", "x"):
            reading = read_comments(records, populations, 1, group=group, band=band)
            for section in reading.sections:
                scopes = [section.group] if section.group else ["a", "b"]
                n = sum(
                    c
                    for p in scopes
                    for score, c in populations[p].items()
                    if section.band is None or section.band.holds(score)
                )
                assert n >= 10, (group, band, section)


def test_duplicates_are_folded_with_their_weeks() -> None:
    records = [
        rec("Faster please", 2, week="2026-W14"),
        rec(" Faster please ", 2, week="2026-W16"),
        rec("Faster please", 2, week="2026-W14"),
        rec("Faster please", 2, week="2026-W15", attributed_to="Ada"),
        rec("Thanks", 5, week="2026-W16"),
    ]
    folded = fold(records)
    assert folded[0].text == "Faster please" and folded[0].count == 3
    assert folded[0].weeks == ("2026-W14", "2026-W16")
    assert Counter(c.attributed_to for c in folded) == Counter({None: 2, "Ada": 1})
    assert sum(c.count for c in folded) == len(records)


@pytest.mark.parametrize(
    ("band", "scores"), [(Band(1, 2), {1, 2}), (Band(3, 5), {3, 4, 5}), (Band(None, None), {None})]
)
def test_band_membership(band: Band, scores: set[int | None]) -> None:
    assert {s for s in (None, 1, 2, 3, 4, 5) if band.holds(s)} == scores
