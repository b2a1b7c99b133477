"""Comments grouped for reading: by survey question and by score band, duplicates folded,
every group behind the comment gate; comments whose writers asked to be contacted listed
apart.

Pure: plain records in, frozen dataclasses out (no database, no web framework).

**Who is counted.** A comment is shown as part of a group (a question, a score band, or
both) only when the group's *population* (every respondent who answered the questionnaire
the comment belongs to, with an overall score in the band, whether or not they wrote a
comment) holds at least ``k`` distinct people (``K_COMMENTS`` = 10). Responses carry no
person, so people are counted from below: a group of ``n`` responses holds at least
``ceil(n / m)`` people when nobody gave more than ``m`` responses about the provider in the
quarter (``m`` from the respondents' pseudonymous marks). The caller leaves out of the
populations the responses whose writers asked to be contacted: they wrote none of the
grouped comments, and so the groups offered do not depend on their scores.

**Named comments.** A comment whose writer asked to be contacted carries their name, and
nothing else of theirs: it is listed apart (``CommentReading.attributed``), in no group and
no band, the same under every filter, ordered by name and text. The other comments could
only come from the other respondents: unless they are at least ``k`` people (all the
populations together, counted from below, or the caller's count of them), they are withheld
(``withheld``) and only the named ones are listed.

**No time.** Records carry no week: comments appear with their quarter's release, ordered
by how often they were written, then by their text, so the order tells nothing of when or
by whom.

**No subtraction.** The groups offered form one partition for the whole page: a split by
question is offered only when every question's population passes; score bands (1–2, 3,
4–5 on the overall question of the same response) are merged with a neighbour until every
band passes in every group shown (a band "3–5" when the middle band is small), and dropped
when only one band is left. When bands cannot hold within every question but hold over
all comments, the bands are offered and the split by question is not (never both). Every
view a filter can produce is then a union of passing parts, so no view minus another
isolates a small group. Responses without an overall answer form a part of their own,
which must pass too, or the band split is not offered.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from analysis.anonymity import K_COMMENTS, passes_gate

#: The score bands before merging, on the 1..5 overall question: low, middle, high.
BASE_BANDS: tuple[tuple[int, int], ...] = ((1, 2), (3, 3), (4, 5))
NO_SCORE = "none"


@dataclass(frozen=True)
class CommentRecord:
    """One written comment: its text, the group (question) it answers, the population
    (questionnaire) whose respondents could have written it, the response's overall score
    (1..5, None when not answered) and the name of the person to contact when they asked to
    be (else None: the comment is grouped)."""

    text: str
    group: str
    population: str
    score: int | None
    attributed_to: str | None = None


@dataclass(frozen=True)
class Band:
    """Overall scores ``low``..``high`` (both None: responses without an overall score)."""

    low: int | None
    high: int | None

    @property
    def key(self) -> str:
        if self.low is None:
            return NO_SCORE
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"

    def holds(self, score: int | None) -> bool:
        if self.low is None or self.high is None:
            return score is None
        return score is not None and self.low <= score <= self.high


@dataclass(frozen=True)
class FoldedComment:
    """A text written ``count`` times by people who did not ask to be contacted (exact
    duplicates folded)."""

    text: str
    count: int


@dataclass(frozen=True)
class NamedComment:
    """A comment whose writer asked to be contacted about it: the text and their name."""

    text: str
    name: str


@dataclass(frozen=True)
class CommentSection:
    """The comments of one group (None: all groups) and one band (None: all bands)."""

    group: str | None
    band: Band | None
    comments: tuple[FoldedComment, ...]


@dataclass(frozen=True)
class CommentReading:
    """What a page shows. ``groups`` and ``bands``: the splits offered (empty when not
    offered); ``group``/``band``: the filters in force (None: all); ``sections``: the
    comments of people who did not ask to be contacted; ``attributed``: those of people who
    did, apart and whatever the filters; ``refused``: a filter was asked for that is not
    offered (the page then shows everything and says so); ``withheld``: the unnamed comments
    are not shown, fewer than ``k`` people besides the named ones having answered."""

    groups: tuple[str, ...]
    bands: tuple[Band, ...]
    group: str | None
    band: Band | None
    sections: tuple[CommentSection, ...]
    refused: bool
    attributed: tuple[NamedComment, ...] = ()
    withheld: bool = False


def people_at_least(responses: int, max_per_person: int) -> int:
    """The fewest distinct people ``responses`` responses can come from when nobody gave
    more than ``max_per_person`` (at least 1) of them."""
    return math.ceil(responses / max(1, max_per_person)) if responses > 0 else 0


def _band_counts(
    scope: Iterable[str], populations: Mapping[str, Mapping[int | None, int]], band: Band
) -> int:
    return sum(
        count
        for population in scope
        for score, count in populations.get(population, {}).items()
        if band.holds(score)
    )


def _bands(
    scopes: Sequence[Sequence[str]],
    populations: Mapping[str, Mapping[int | None, int]],
    max_per_person: int,
    k: int,
) -> tuple[Band, ...]:
    """The coarsest-needed band scheme: base bands merged with a neighbour until every band
    passes in every scope; () when fewer than two bands would be left or the responses
    without an overall score do not pass."""

    def passes(band: Band) -> bool:
        for scope in scopes:
            n = _band_counts(scope, populations, band)
            if n and not passes_gate(people_at_least(n, max_per_person), k):
                return False
        return True

    unscored = Band(None, None)
    if not passes(unscored):
        return ()
    bands = [Band(low, high) for low, high in BASE_BANDS]
    while len(bands) > 1:
        failing = next((i for i, band in enumerate(bands) if not passes(band)), None)
        if failing is None:
            break
        if failing == 0:
            other = 1
        elif failing == len(bands) - 1:
            other = failing - 1
        else:  # the smaller neighbour, so the merged band stays as narrow as it can

            def size(i: int) -> int:
                return sum(_band_counts(scope, populations, bands[i]) for scope in scopes)

            other = failing - 1 if size(failing - 1) <= size(failing + 1) else failing + 1
        first, second = sorted((failing, other))
        bands[first : second + 1] = [Band(bands[first].low, bands[second].high)]
    # A band nobody is in is not offered (an empty filter helps no reader).
    bands = [b for b in bands if any(_band_counts(scope, populations, b) for scope in scopes)]
    if len(bands) < 2:
        return ()
    has_unscored = any(_band_counts(scope, populations, unscored) for scope in scopes)
    return (*bands, unscored) if has_unscored else tuple(bands)


def fold(records: Iterable[CommentRecord]) -> tuple[FoldedComment, ...]:
    """Exact duplicates (same text once stripped) folded into one, most often written first,
    then by text (nothing about when or by whom)."""
    counts: dict[str, int] = defaultdict(int)
    for record in records:
        counts[record.text.strip()] += 1
    return tuple(
        FoldedComment(text, n) for text, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))
    )


def named(records: Iterable[CommentRecord]) -> tuple[NamedComment, ...]:
    """The comments of ``records`` whose writers asked to be contacted, by name then text,
    the same text from the same person once."""
    pairs = {(r.attributed_to, r.text.strip()) for r in records if r.attributed_to is not None}
    return tuple(NamedComment(text, name) for name, text in sorted(pairs))


def read_comments(
    records: Sequence[CommentRecord],
    populations: Mapping[str, Mapping[int | None, int]],
    max_per_person: int,
    *,
    group_order: Sequence[str] = (),
    group: str | None = None,
    band: str | None = None,
    k: int = K_COMMENTS,
    unnamed_people: int = 0,
) -> CommentReading:
    """Group, gate and filter ``records``; the attributed ones are listed apart.

    ``populations`` maps a population key to its response counts by overall score (None:
    no overall answer), leaving out the responses whose writers asked to be contacted;
    ``max_per_person`` is the most responses any one person gave about the provider in the
    quarter; ``group_order`` lists group keys in display order (groups missing from it
    follow in order of appearance). ``group`` and ``band`` are the filters asked for (a band
    by its ``key``); a filter that is not offered is refused and ignored. Groups offered come
    from the unattributed comments only (a question only named comments answer is not
    offered). ``unnamed_people``: the fewest distinct people the populations can hold, as
    the caller counted them (0: not known; ``people_at_least`` over the populations counts
    too, the larger bound is used); under ``k`` the unattributed comments are withheld. The
    caller has already checked that the whole set of comments passes the comment gate.
    """
    attributed = named(records)
    records = [r for r in records if r.attributed_to is None]
    everyone = sum(sum(counts.values()) for counts in populations.values())
    people = max(people_at_least(everyone, max_per_person), unnamed_people)
    if records and not passes_gate(people, k):
        return CommentReading((), (), None, None, (), bool(group or band), attributed, True)
    seen = list(dict.fromkeys([*[g for g in group_order], *(r.group for r in records)]))
    present = {r.group for r in records}
    groups = [g for g in seen if g in present]
    population_of = {r.group: r.population for r in records}

    def group_people(g: str) -> int:
        n = sum(populations.get(population_of[g], {}).values())
        return people_at_least(n, max_per_person)

    split_groups = len(groups) > 1 and all(passes_gate(group_people(g), k) for g in groups)
    every_population = sorted({r.population for r in records})
    bands: tuple[Band, ...] = ()
    if split_groups:
        scopes = [[population_of[g]] for g in groups]
        bands = _bands(scopes, populations, max_per_person, k)
    if records and not bands:
        # Bands that hold in every group cannot be had: bands over all comments, if they
        # hold, are worth more than the split by question, and the two never go together.
        bands = _bands([every_population], populations, max_per_person, k)
        if bands:
            split_groups = False

    refused = False
    chosen_group = group if split_groups and group in groups else None
    if group and chosen_group is None:
        refused = True
    chosen_band = next((b for b in bands if b.key == band), None)
    if band and chosen_band is None:
        refused = True

    sections = []
    for g in [chosen_group] if chosen_group else (groups if split_groups else [None]):
        in_group = [r for r in records if g is None or r.group == g]
        for b in [chosen_band] if chosen_band else (bands or (None,)):
            chosen = [r for r in in_group if b is None or b.holds(r.score)]
            if chosen:
                sections.append(CommentSection(g, b, fold(chosen)))
    return CommentReading(
        groups=tuple(groups) if split_groups else (),
        bands=bands,
        group=chosen_group,
        band=chosen_band,
        sections=tuple(sections),
        refused=refused,
        attributed=attributed,
    )
