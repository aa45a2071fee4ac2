"""Clarification questions: vendors ask before the question deadline, the department answers,
and every answer is visible to all bidders (and the public), without revealing who asked.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from portal import audit, clock
from portal.audit import EventType
from portal.domain.errors import FieldError, RuleViolation, ValidationFailed
from portal.domain.validation import clean_text
from portal.models import Bid, Question, Scenario, ScenarioStatus
from portal.permissions import Action, Actor, require
from portal.services.door import check_version, get_or_404, notify, notify_org, org_user_ids
from portal.services.scenarios import follower_ids, get_scenario

MAX_QUESTION = 2000
MAX_ANSWER = 4000


def _text(field: str, value: str, limit: int) -> str:
    text = clean_text(value or "")
    if len(text) < 2:
        raise ValidationFailed([FieldError(field, "validation.too_short", {"min_length": 2})])
    if len(text) > limit:
        raise ValidationFailed([FieldError(field, "validation.too_long", {"max_length": limit})])
    return text


def check_ask(actor: Actor, scenario: Scenario) -> None:
    """May ``actor`` ask about ``scenario`` now (a vendor, published, before the question deadline)?"""
    require(actor, Action.QUESTION_ASK)
    if scenario.status != ScenarioStatus.PUBLISHED:
        raise RuleViolation("error.scenario_not_open", status=f"status.{scenario.status}")
    if clock.today() > scenario.question_deadline:
        raise RuleViolation("error.question_deadline_passed", date=scenario.question_deadline)


def check_answer(actor: Actor, scenario: Scenario) -> None:
    """May ``actor`` answer questions on ``scenario`` now (its department, while published or closed)?"""
    require(actor, Action.QUESTION_ANSWER, scenario)
    if scenario.status not in (ScenarioStatus.PUBLISHED, ScenarioStatus.CLOSED):
        raise RuleViolation("error.scenario_not_open", status=f"status.{scenario.status}")


def ask_question(actor: Actor, scenario_id: int, text: str, *, session: Session) -> Question:
    """A vendor asks about a published scenario, until its question deadline."""
    require(actor, Action.QUESTION_ASK)
    scenario = get_scenario(actor, scenario_id, session=session)
    check_ask(actor, scenario)
    question = Question(
        scenario_id=scenario.id,
        vendor_org_id=actor.org_id,
        asked_by=actor.user_id,
        text=_text("question", text, MAX_QUESTION),
    )
    session.add(question)
    session.flush()
    audit.record(session, actor, EventType.QUESTION_ASKED, "question", question.id, scenario_id=scenario.id)
    notify_org(
        session,
        scenario.org_id,
        "question_asked",
        object_type="scenario",
        object_id=scenario.id,
        title=scenario.title,
    )
    return question


def answer_question(
    actor: Actor, question_id: int, answer: str, *, expected_version: int | None = None, session: Session
) -> Question:
    """The department answers (or corrects its answer); asker, bidders and followers are notified."""
    question = get_or_404(session, Question, question_id)
    scenario = get_or_404(session, Scenario, question.scenario_id)
    require(actor, Action.QUESTION_ANSWER, scenario)
    check_version(question, expected_version)
    check_answer(actor, scenario)
    question.answer = _text("answer", answer, MAX_ANSWER)
    question.answered_by = actor.user_id
    question.answered_at = clock.now()
    question.updated_at = question.answered_at
    session.add(question)
    session.flush()
    audit.record(
        session,
        actor,
        EventType.QUESTION_ANSWERED,
        "question",
        question.id,
        scenario_id=scenario.id,
        fields=["answer"],
    )
    bidder_orgs = set(session.exec(select(Bid.vendor_org_id).where(Bid.scenario_id == scenario.id)).all())
    recipients = set(org_user_ids(session, question.vendor_org_id)) | set(follower_ids(session, scenario.id))
    for org_id in bidder_orgs:
        recipients |= set(org_user_ids(session, org_id))
    notify(
        session,
        recipients,
        "question_answered",
        object_type="scenario",
        object_id=scenario.id,
        title=scenario.title,
    )
    return question


def list_questions(actor: Actor, scenario_id: int, *, session: Session) -> list[Question]:
    """Questions of a scenario as the actor may see them.

    The department and the authority see all; a vendor sees every answered question plus its own
    unanswered ones; anonymous visitors see answered questions. Who asked is never shown outside
    the department and the authority: other viewers get detached copies with ``vendor_org_id`` and
    ``asked_by`` set to None (a vendor's own questions are returned as they are).
    """
    scenario = get_scenario(actor, scenario_id, session=session)
    rows = list(
        session.exec(
            select(Question).where(Question.scenario_id == scenario.id).order_by(col(Question.created_at))
        ).all()
    )
    if actor.is_authority or (actor.is_department and actor.org_id == scenario.org_id):
        return rows
    visible = [q for q in rows if q.answer or (actor.is_vendor and q.vendor_org_id == actor.org_id)]
    return [q if q.vendor_org_id == actor.org_id else _anonymised(q) for q in visible]


def _anonymised(question: Question) -> Question:
    """A detached copy without the asker (other vendors and the public must not learn who asked)."""
    return Question(**(question.model_dump() | {"vendor_org_id": None, "asked_by": None}))


def unanswered_for_department(actor: Actor, *, session: Session) -> list[Question]:
    require(actor, Action.SCENARIO_CREATE)
    q = (
        select(Question)
        .join(Scenario, Scenario.id == Question.scenario_id)
        .where(Scenario.org_id == actor.org_id, Question.answer == None)  # noqa: E711
        .order_by(col(Question.created_at))
    )
    return list(session.exec(q).all())
