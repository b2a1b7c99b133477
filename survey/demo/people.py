"""The demo's employees: names, e-mail addresses at demo.example and languages."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass

from survey.demo.org import DEPARTMENTS, FIRST_NAMES, LAST_NAMES
from survey.i18n import LOCALES

DOMAIN = "demo.example"
OPTED_OUT = 4  # people who asked never to be surveyed (the fatigue page shows them)


@dataclass(frozen=True)
class PersonSpec:
    email: str
    name: str
    department: str
    locale: str
    opted_out: bool = False


def _ascii(text: str) -> str:
    """``léa`` -> ``lea``, ``o'brien`` -> ``obrien``, ``de luca`` -> ``deluca``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", plain.lower())


def generate_people(rng: random.Random) -> list[PersonSpec]:
    """Everyone, department by department in ``DEPARTMENTS`` order; e-mail addresses are
    ``first.last@demo.example`` (a digit is added when two people share a name)."""
    people: list[PersonSpec] = []
    taken: set[str] = set()
    for dept in DEPARTMENTS:
        for _ in range(dept.size):
            locale = rng.choices(LOCALES, weights=dept.locales)[0]
            first = rng.choice(FIRST_NAMES[locale])
            last = rng.choice(LAST_NAMES[locale])
            local = f"{_ascii(first)}.{_ascii(last)}"
            candidate, n = local, 1
            while candidate in taken:
                n += 1
                candidate = f"{local}{n}"
            taken.add(candidate)
            people.append(PersonSpec(f"{candidate}@{DOMAIN}", f"{first} {last}", dept.code, locale))
    for index in rng.sample(range(len(people)), OPTED_OUT):
        spec = people[index]
        people[index] = PersonSpec(spec.email, spec.name, spec.department, spec.locale, True)
    return people
