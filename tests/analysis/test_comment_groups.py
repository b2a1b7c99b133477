"""Comments grouped for reading: the gate on every group, merged bands, folded duplicates,
named comments apart."""

from __future__ import annotations

import pytest

from analysis.comment_groups import (
    Band,
    CommentRecord,
    NamedComment,
    fold,
    people_at_least,
    read_comments,
)


def rec(text: str, score: int | None, group: str = "pi", **kw):  # type: ignore[no-untyped-def]
    return CommentRecord(text, group, kw.pop("population", group), score, **kw)


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
    records[1] = CommentRecord("q text", "q2", "q", 4)
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
        CommentRecord("pi low", "g1", "pi", 1),
        CommentRecord("q low", "g2", "q", 2),
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
        CommentRecord(f"t{i}", g, g, s)
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


def test_duplicates_are_folded_most_written_first_then_by_text() -> None:
    records = [
        rec("Thanks", 5),
        rec("Faster please", 2),
        rec(" Faster please ", 2),
        rec("Also: the forms", 3),
        rec("Faster please", 2),
    ]
    folded = fold(records)
    assert [(c.text, c.count) for c in folded] == [
        ("Faster please", 3),
        ("Also: the forms", 1),
        ("Thanks", 1),
    ]
    # The order is the texts' and their counts', never the order they were written in.
    assert fold(reversed(records)) == folded


def test_a_named_comment_is_listed_apart_whatever_its_writers_score() -> None:
    """The attack: Ada asked to be contacted, so her comment carries her name. Under the
    "1 to 2" band (or only in the view filtered on it), it would publish her score. It is in
    no section, listed apart the same under every filter, and her score moves nothing."""
    others = [
        *(rec(f"low {i}", 1 + i % 2) for i in range(3)),
        *(rec(f"high {i}", 5) for i in range(3)),
    ]
    # The populations leave Ada's response out (the caller counts the others only).
    populations = {"pi": {1: 6, 2: 6, 5: 12}}
    readings = [
        read_comments(
            [*others, rec("Call me about the forms", score, attributed_to="Ada")],
            populations,
            1,
            band=band,
        )
        for score in (1, 5)
        for band in (None, "1-2", "4-5")
    ]
    assert [b.key for b in readings[0].bands] == ["1-2", "4-5"]
    for reading in readings:
        assert reading.attributed == (NamedComment("Call me about the forms", "Ada"),)
        shown = {c.text for s in reading.sections for c in s.comments}
        assert "Call me about the forms" not in shown and shown
    assert readings[:3] == readings[3:]


def test_named_comments_by_name_then_text_each_once() -> None:
    records = [
        rec("Zebra crossing", 1, attributed_to="Ada"),
        rec("About the forms", 5, attributed_to="Bo"),
        rec("Any news? ", 3, attributed_to="Ada"),
        rec("Any news?", 4, attributed_to="Ada"),
        rec("Unnamed", 2),
    ]
    reading = read_comments(records, {"pi": {2: 10}}, 1)
    assert [(c.name, c.text) for c in reading.attributed] == [
        ("Ada", "Any news?"),
        ("Ada", "Zebra crossing"),
        ("Bo", "About the forms"),
    ]
    assert [c.text for s in reading.sections for c in s.comments] == ["Unnamed"]


def test_a_question_only_named_comments_answer_is_not_a_group() -> None:
    records = [rec("Mine", 4, group="q1"), rec("Call me", 4, group="q2", attributed_to="Ada")]
    reading = read_comments(records, {"q1": {4: 10}, "q2": {4: 10}}, 1)
    assert reading.groups == () and [s.group for s in reading.sections] == [None]
    assert [c.text for c in reading.attributed] == ["Call me"]


@pytest.mark.parametrize(
    ("band", "scores"), [(Band(1, 2), {1, 2}), (Band(3, 5), {3, 4, 5}), (Band(None, None), {None})]
)
def test_band_membership(band: Band, scores: set[int | None]) -> None:
    assert {s for s in (None, 1, 2, 3, 4, 5) if band.holds(s)} == scores


def test_unnamed_comments_need_ten_people_besides_the_named_ones() -> None:
    """Ten answered, one of them asked to be contacted: the other comments could only come
    from nine people, so they are withheld (the named one is still listed); with ten people
    besides the named one, they are shown."""
    records = [rec("Only nine of us", 2), rec("Call me", 1, attributed_to="Ada")]
    reading = read_comments(records, {"pi": {2: 4, 5: 5}}, 1, band="1-2")
    assert reading.withheld and reading.sections == () and reading.bands == ()
    assert reading.refused and [c.text for c in reading.attributed] == ["Call me"]
    shown = read_comments(records, {"pi": {2: 5, 5: 5}}, 1)
    assert not shown.withheld and [c.text for c in shown.sections[0].comments] == [
        "Only nine of us"
    ]
    # Counted from below: eighteen responses from people who answered up to twice are at
    # least nine people, unless the caller counted more of them.
    assert read_comments(records, {"pi": {2: 10, 5: 8}}, 2).withheld
    assert not read_comments(records, {"pi": {2: 10, 5: 8}}, 2, unnamed_people=10).withheld
