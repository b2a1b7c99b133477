"""The demo organisation chart: departments, services with their standards, who serves whom.

A mid-sized company with offices in Milan, Lyon and Dublin, so its people write in Italian,
French and English. Plain data here; ``survey.demo.build`` turns it into rows.
"""

from __future__ import annotations

from dataclasses import dataclass

HOUR = 60
DAY = 24 * HOUR


@dataclass(frozen=True)
class DepartmentSpec:
    """``size``: head count; ``locales``: the share of people writing in en, it, fr."""

    code: str
    name: str
    size: int
    locales: tuple[float, float, float]
    parent: str | None = None


@dataclass(frozen=True)
class StandardSpec:
    """Promised minutes (elapsed time) in force from the ``from_quarter``-th history quarter
    (0 = the first one) on."""

    from_quarter: int
    first_response: int
    resolution: int


@dataclass(frozen=True)
class ServiceSpec:
    """``weight``: the share of the provider's requests that concern this service;
    ``source``: the name of the request queue that reports them (as an API
    key's ``source`` would be named); ``sampling_rate`` as on the model."""

    code: str
    provider: str
    name: str
    description: str
    weight: float
    source: str
    standards: tuple[StandardSpec, ...]
    sampling_rate: float = 1.0


DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec("IT", "Information Technology", 30, (0.5, 0.3, 0.2)),
    DepartmentSpec("HR", "Human Resources", 18, (0.3, 0.45, 0.25)),
    DepartmentSpec("FIN", "Finance", 24, (0.3, 0.5, 0.2)),
    DepartmentSpec("PROC", "Procurement", 12, (0.25, 0.5, 0.25), parent="FIN"),
    DepartmentSpec("FAC", "Facilities", 14, (0.15, 0.6, 0.25)),
    DepartmentSpec("LEGAL", "Legal", 8, (0.5, 0.33, 0.17), parent="FIN"),
    DepartmentSpec("SALES", "Sales", 38, (0.4, 0.3, 0.3)),
    DepartmentSpec("CS", "Customer Service", 42, (0.3, 0.25, 0.45), parent="SALES"),
    DepartmentSpec("MKT", "Marketing", 28, (0.35, 0.3, 0.35), parent="SALES"),
    DepartmentSpec("ENG", "Engineering", 42, (0.5, 0.3, 0.2)),
)


def _std(first_response: int, resolution: int, from_quarter: int = 0) -> StandardSpec:
    return StandardSpec(from_quarter, first_response, resolution)


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        "it-access",
        "IT",
        "Accounts and access",
        "New accounts, passwords, permissions on shared drives and applications.",
        0.35,
        "service-desk",
        # Tightened from four hours to two when the new service desk went live.
        (_std(4 * HOUR, 8 * HOUR), _std(2 * HOUR, 8 * HOUR, from_quarter=4)),
        sampling_rate=0.5,
    ),
    ServiceSpec(
        "it-hardware",
        "IT",
        "Laptops and hardware",
        "Repairs, replacements and new equipment.",
        0.3,
        "service-desk",
        (_std(4 * HOUR, 3 * DAY),),
    ),
    ServiceSpec(
        "it-software",
        "IT",
        "Software and licences",
        "Installing software and assigning licences.",
        0.35,
        "service-desk",
        (_std(8 * HOUR, 2 * DAY),),
    ),
    ServiceSpec(
        "hr-contracts",
        "HR",
        "Contracts and certificates",
        "Employment certificates, contract changes, leave arrangements.",
        0.4,
        "hr-portal",
        (_std(DAY, 5 * DAY),),
    ),
    ServiceSpec(
        "hr-payroll",
        "HR",
        "Payroll questions",
        "Questions about payslips, allowances and deductions.",
        0.35,
        "hr-portal",
        (_std(8 * HOUR, 3 * DAY),),
    ),
    ServiceSpec(
        "hr-hiring",
        "HR",
        "Hiring support",
        "Job postings, interview planning and onboarding of new colleagues.",
        0.25,
        "hr-portal",
        (_std(DAY, 10 * DAY),),
    ),
    ServiceSpec(
        "fin-expenses",
        "FIN",
        "Expense claims",
        "Checking and reimbursing expense claims.",
        0.4,
        "finance-queue",
        (_std(DAY, 5 * DAY),),
    ),
    ServiceSpec(
        "fin-purchasing",
        "FIN",
        "Purchase orders",
        "Approving and placing purchase orders with suppliers.",
        0.35,
        "finance-queue",
        (_std(8 * HOUR, 3 * DAY),),
    ),
    ServiceSpec(
        "fin-invoicing",
        "FIN",
        "Customer invoicing",
        "Questions about invoices, credit notes and payment status of customers.",
        0.25,
        "finance-queue",
        (_std(4 * HOUR, 2 * DAY),),
    ),
    ServiceSpec(
        "fac-repairs",
        "FAC",
        "Repairs and maintenance",
        "Heating, lighting, doors, furniture and anything broken in the offices.",
        0.5,
        "facilities-desk",
        (_std(4 * HOUR, 2 * DAY),),
    ),
    ServiceSpec(
        "fac-rooms",
        "FAC",
        "Rooms and events",
        "Meeting rooms, catering and the set-up of internal events.",
        0.3,
        "facilities-desk",
        (_std(8 * HOUR, 3 * DAY),),
    ),
    ServiceSpec(
        "fac-moves",
        "FAC",
        "Desk moves",
        "Moving people and equipment between desks and floors.",
        0.2,
        "facilities-desk",
        (_std(DAY, 10 * DAY),),
    ),
    ServiceSpec(
        "legal-contracts",
        "LEGAL",
        "Contract review",
        "Reviewing customer, supplier and partner contracts.",
        0.6,
        "email",
        (_std(DAY, 5 * DAY),),
    ),
    ServiceSpec(
        "legal-advice",
        "LEGAL",
        "Legal advice",
        "Questions on employment law, data protection and intellectual property.",
        0.4,
        "email",
        (_std(DAY, 7 * DAY),),
    ),
    ServiceSpec(
        "eng-escalations",
        "ENG",
        "Customer escalations",
        "Technical problems that Customer Service cannot solve on its own.",
        0.55,
        "issue-tracker",
        (_std(4 * HOUR, 3 * DAY),),
    ),
    ServiceSpec(
        "eng-product",
        "ENG",
        "Product questions",
        "Answers about product features, compatibility and the roadmap.",
        0.45,
        "issue-tracker",
        (_std(DAY, 5 * DAY),),
    ),
    ServiceSpec(
        "cs-accounts",
        "CS",
        "Customer account information",
        "History, open tickets and contacts of a customer account.",
        1.0,
        "helpdesk",
        (_std(8 * HOUR, 2 * DAY),),
    ),
    ServiceSpec(
        "sales-forecasts",
        "SALES",
        "Forecasts and order data",
        "Sales forecasts, order backlog and customer requirements.",
        1.0,
        "email",
        (_std(DAY, 5 * DAY),),
    ),
    ServiceSpec(
        "proc-tenders",
        "PROC",
        "Quotes and tenders",
        "Finding suppliers, collecting quotes and running tenders above the approval limit.",
        0.6,
        "purchasing-portal",
        (_std(DAY, 10 * DAY),),
    ),
    ServiceSpec(
        "proc-suppliers",
        "PROC",
        "Supplier onboarding",
        "Registering a new supplier: checks, contract terms and payment details.",
        0.4,
        "purchasing-portal",
        (_std(DAY, 7 * DAY),),
    ),
    ServiceSpec(
        "mkt-materials",
        "MKT",
        "Presentations and brochures",
        "Customer presentations, product sheets and brochures in the three languages.",
        0.6,
        "request-form",
        (_std(DAY, 5 * DAY),),
    ),
    ServiceSpec(
        "mkt-web",
        "MKT",
        "Website and product pages",
        "Changes to the public website, product pages and announcements.",
        0.4,
        "request-form",
        (_std(8 * HOUR, 3 * DAY),),
    ),
)

# Provider -> the customer departments it serves, with the share of its requests each sends.
# Everybody needs IT, HR and Facilities; the commercial chain runs Sales -> Customer Service
# -> Engineering and back, with Marketing supplying Sales and Customer Service; Procurement
# buys for the departments that buy most.
DEPENDENCIES: dict[str, dict[str, float]] = {
    "IT": {
        "HR": 0.8,
        "FIN": 1.0,
        "PROC": 0.4,
        "FAC": 0.5,
        "LEGAL": 0.4,
        "SALES": 1.5,
        "CS": 1.6,
        "MKT": 1.0,
        "ENG": 1.8,
    },
    "HR": {
        "IT": 1.0,
        "FIN": 0.9,
        "PROC": 0.4,
        "FAC": 0.7,
        "LEGAL": 0.5,
        "SALES": 1.3,
        "CS": 1.5,
        "MKT": 0.9,
        "ENG": 1.3,
    },
    "FIN": {
        "IT": 0.6,
        "HR": 0.7,
        "PROC": 0.9,
        "FAC": 0.6,
        "SALES": 1.8,
        "CS": 0.9,
        "MKT": 0.7,
        "ENG": 0.8,
    },
    "PROC": {"IT": 1.2, "FAC": 1.2, "ENG": 0.8, "MKT": 0.8, "HR": 0.4},
    "FAC": {
        "IT": 0.8,
        "HR": 0.8,
        "FIN": 0.8,
        "PROC": 0.4,
        "LEGAL": 0.4,
        "SALES": 1.2,
        "CS": 1.4,
        "MKT": 0.9,
        "ENG": 1.3,
    },
    "LEGAL": {"SALES": 1.6, "FIN": 0.8, "HR": 0.8, "PROC": 0.6, "MKT": 0.4, "ENG": 0.6},
    "ENG": {"CS": 2.0, "SALES": 1.0, "MKT": 0.5},
    "CS": {"SALES": 1.5, "ENG": 1.0, "MKT": 0.5},
    "MKT": {"SALES": 2.0, "CS": 0.8, "ENG": 0.4},
    "SALES": {"CS": 1.0, "FIN": 0.8, "MKT": 0.6, "ENG": 0.7},
}

FIRST_NAMES = {
    "en": (
        "Oliver", "Amelia", "Harry", "Isla", "Jack", "Sophie", "George", "Emily", "Noah",
        "Grace", "Thomas", "Chloe", "James", "Lucy", "William", "Hannah", "Daniel", "Ella",
        "Samuel", "Ruth", "Aidan", "Niamh", "Connor", "Aoife",
    ),
    "it": (
        "Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara", "Matteo",
        "Elena", "Davide", "Martina", "Simone", "Federica", "Andrea", "Valentina", "Paolo",
        "Silvia", "Stefano", "Alessia", "Giorgio",
    ),
    "fr": (
        "Camille", "Louis", "Léa", "Hugo", "Manon", "Jules", "Chloé", "Arthur", "Inès",
        "Nathan", "Sarah", "Théo", "Julie", "Maxime", "Claire", "Antoine", "Élise", "Mathis",
        "Océane", "Rémi",
    ),
}  # fmt: skip

LAST_NAMES = {
    "en": (
        "Smith", "Jones", "Taylor", "Brown", "Walker", "Wright", "Hughes", "Green", "Hall",
        "Clarke", "Patel", "Murphy", "Kelly", "Evans", "Baker", "Turner", "O'Brien", "Byrne",
    ),
    "it": (
        "Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo",
        "Conti", "De Luca", "Costa", "Fontana", "Moretti", "Barbieri", "Lombardi",
    ),
    "fr": (
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
        "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "Fournier",
    ),
}  # fmt: skip
