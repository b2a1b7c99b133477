"""What ``build_demo`` made, in numbers, and how to sign in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from survey.demo.present import Present


@dataclass(frozen=True)
class SignIn:
    email: str
    role: str
    department: str | None = None

    def describe(self) -> str:
        if self.role == "manager":
            return f"manager of {self.department}"
        return {"admin": "administrator"}.get(self.role, self.role)


@dataclass(frozen=True)
class DemoSummary:
    """Counts of the demo organisation and its history; ``quarters`` oldest first."""

    seed: int
    departments: int
    people: int
    services: int
    dependencies: int
    quarterly_responses: int
    post_interaction_responses: int
    interactions: int
    quarters: tuple[str, ...]
    sign_ins: tuple[SignIn, ...]
    password: str
    present: Present | None = None
    actions: int = 0
    quiz_attempts: int = 0

    @property
    def responses(self) -> int:
        return self.quarterly_responses + self.post_interaction_responses

    def describe(self) -> str:
        """A few lines for the terminal: what was built and the demo sign-ins."""
        width = max(len(s.email) for s in self.sign_ins) + 2
        lines = [
            f"Demo organisation built (seed {self.seed}):",
            f"  {self.departments} departments, {self.people} people, {self.services} services,"
            f" {self.dependencies} dependencies",
            f"  {len(self.quarters)} quarters: {' '.join(self.quarters)}",
            f"  {self.responses:,} responses ({self.quarterly_responses:,} quarterly,"
            f" {self.post_interaction_responses:,} after interactions),"
            f" {self.interactions:,} interactions",
        ]
        if self.present is not None:
            p = self.present
            lines.append(
                f"  today: {p.campaign} open ({p.quarterly_invited} invited),"
                f" {p.recent_requests} requests handled in the last days"
                f" ({p.post_interaction_invited} surveys waiting)"
            )
        if self.actions:
            lines.append(f"  {self.actions} actions in the departments' action plans")
        if self.quiz_attempts:
            lines.append(
                f"  {self.quiz_attempts} quiz attempts by members of IT, HR and Finance"
                f" in {self.quarters[-1]}"
            )
        lines += [
            f"Sign in (password for all three: {self.password}):",
        ]
        lines += [f"  {s.email:<{width}}{s.describe()}" for s in self.sign_ins]
        return "\n".join(lines)
