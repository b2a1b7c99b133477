"""Every model, importable from one place (Alembic and services use ``survey.models``)."""

from survey.models.action import Action
from survey.models.activity import IdempotencyKey, Interaction
from survey.models.aggregate import (
    Baseline,
    QuarterRelease,
    ReleasedCompliance,
    RespondentMark,
    ScoreCell,
    ScoreTotal,
    ScoreVersion,
)
from survey.models.audit import AuditEntry
from survey.models.auth import ApiKey, PasswordReset, SignInThrottle, User, UserSession
from survey.models.base import Base
from survey.models.campaign import (
    Campaign,
    Invitation,
    InvitationDraft,
    InvitationToken,
    campaign_departments,
)
from survey.models.org import Department, Dependency, Person, Service, ServiceStandard
from survey.models.outbox import OutboxMessage, SoftBounce, SuppressedAddress, UnsubscribeToken
from survey.models.privacy import ErasedAddress
from survey.models.questionnaire import Question, Questionnaire
from survey.models.quiz import QuizAttempt
from survey.models.response import Answer, QueuedSubmission, Response
from survey.models.schedule import CampaignSchedule, schedule_departments

__all__ = [
    "Action",
    "Answer",
    "ApiKey",
    "AuditEntry",
    "Base",
    "Baseline",
    "Campaign",
    "CampaignSchedule",
    "Department",
    "Dependency",
    "ErasedAddress",
    "IdempotencyKey",
    "Interaction",
    "Invitation",
    "InvitationDraft",
    "InvitationToken",
    "OutboxMessage",
    "PasswordReset",
    "Person",
    "QuarterRelease",
    "Question",
    "Questionnaire",
    "QueuedSubmission",
    "QuizAttempt",
    "ReleasedCompliance",
    "RespondentMark",
    "Response",
    "ScoreCell",
    "ScoreTotal",
    "ScoreVersion",
    "Service",
    "ServiceStandard",
    "SignInThrottle",
    "SoftBounce",
    "SuppressedAddress",
    "UnsubscribeToken",
    "User",
    "UserSession",
    "campaign_departments",
    "schedule_departments",
]
