"""Scenario demands (场景需求): create, edit, submit, review, publish, close, cancel, invite, list.

Rules that live here: departments edit only their own drafts; dates must make sense; the
authority publishes only scenarios whose closing date is still ahead; closing happens after the
closing date (by the department, the authority or the daily sweep); anonymous visitors get
``ScenarioPublic`` without personal contact data; personal data written into free text is refused
on save unless the department confirms, field by field, that it is not personal data, and is
masked in every public read in any case (``to_public``; ``portal.domain.pii``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from portal import audit, clock
from portal.audit import EventType
from portal.domain import arguments, pii
from portal.domain.errors import FieldError, PersonalDataFound, RuleViolation
from portal.domain.validation import Checker, parse
from portal.i18n import Key
from portal.models import (
    AuditEvent,
    Bid,
    BidStatus,
    Call,
    CallStatus,
    Follow,
    Organization,
    OrgKind,
    Scenario,
    ScenarioCreate,
    ScenarioInvite,
    ScenarioPublic,
    ScenarioStatus,
    StatusChange,
)
from portal.permissions import PUBLIC_STATUSES, Action, Actor, can, require
from portal.services.door import (
    apply_changes,
    authority_user_ids,
    check_version,
    get_or_404,
    log_change,
    notify,
    notify_org,
    transition,
)

S = ScenarioStatus
EDITABLE = {S.DRAFT, S.CHANGES_REQUESTED}
ACTIVE_BIDS = (BidStatus.SUBMITTED, BidStatus.SHORTLISTED)
FIELDS = tuple(ScenarioCreate.model_fields)


def _rules(session: Session, *, for_submit: bool = False) -> Callable[[Checker, ScenarioCreate], None]:
    """The cross-field and taxonomy rules of a scenario; fields that failed validation are ``None``."""

    def check(chk: Checker, sc: ScenarioCreate) -> None:
        chk.sector("sector", sc.sector)
        chk.region("region", sc.region)
        chk.email("contact_email", sc.contact_email)
        chk.phone("contact_phone", sc.contact_phone)
        if sc.budget_min is not None and sc.budget_max is not None and sc.budget_min > sc.budget_max:
            chk.fail("budget_max", "validation.budget_order")
        if sc.question_deadline and sc.closing_date and sc.question_deadline > sc.closing_date:
            chk.fail("question_deadline", "validation.deadline_after_closing")
        if for_submit and sc.closing_date and sc.closing_date <= clock.today():
            chk.fail("closing_date", "validation.date_in_past")
        for ind in sc.indicators or []:
            if not isinstance(ind, dict) or not str(ind.get("name", "")).strip():
                chk.fail("indicators", "validation.indicator_name")
                break
        if sc.call_id is not None and session.get(Call, sc.call_id) is None:
            chk.fail("call_id", "validation.invalid_choice")

    return check


def validate_scenario(data: dict[str, Any], session: Session, *, for_submit: bool = False) -> ScenarioCreate:
    """Validate a scenario's fields, reporting EVERY problem at once, each at its field.

    ``for_submit`` adds the rules a submission needs (closing date ahead), so "save and submit"
    shows those together with the rest.
    """
    return parse(ScenarioCreate, data, _rules(session, for_submit=for_submit))


def check_create(actor: Actor) -> None:
    """May ``actor`` start a new scenario (a department user)?"""
    require(actor, Action.SCENARIO_CREATE)


def create_scenario(
    actor: Actor,
    data: dict[str, Any],
    *,
    pii_confirmed: Mapping[str, str] | None = None,
    session: Session,
    for_submit: bool = False,
) -> Scenario:
    """Create a draft scenario for the actor's own department (``for_submit``: see ``validate_scenario``).

    Raises:
        PersonalDataFound: free text looks like personal data and ``pii_confirmed`` does not
            confirm that field's findings (see ``check_personal_data``).

    Example:
        >>> create_scenario(dept, {"title": "…", "summary": "…", …}, session=s)  # doctest: +SKIP
    """
    check_create(actor)
    sc = validate_scenario(data, session, for_submit=for_submit)
    if sc.call_id is not None:
        call = session.get(Call, sc.call_id)
        if call is not None and call.status != CallStatus.OPEN:
            raise RuleViolation("error.call_not_open")
    newly = check_personal_data(sc.model_dump(), pii_confirmed)
    scenario = Scenario(**sc.model_dump(), org_id=actor.org_id, created_by=actor.user_id)
    session.add(scenario)
    session.flush()
    audit.record(session, actor, EventType.SCENARIO_CREATED, "scenario", scenario.id, title=scenario.title)
    _record_confirmations(session, actor, scenario, newly)
    log_change(session, "scenario", scenario.id)
    return scenario


# ------------------------------------------------------------------------------------ personal data


def personal_data(values: Mapping[str, Any]) -> dict[str, tuple[tuple[str, ...], str]]:
    """``{field: (kinds, fingerprint)}`` of the public free-text fields that look like personal data."""
    found = pii.scan(values, pii.PUBLIC_TEXT_FIELDS)
    kinds, prints = pii.kinds_by_field(found), pii.fingerprints(found)
    return {field: (kinds[field], prints[field]) for field in kinds}


def confirmed_personal_data(session: Session, scenario_id: int | None) -> dict[str, set[str]]:
    """Fingerprints the department has confirmed as not personal data, per field (from the audit log)."""
    if scenario_id is None:
        return {}
    rows = session.exec(
        select(AuditEvent.payload).where(
            AuditEvent.event == EventType.SCENARIO_PII_CONFIRMED,
            AuditEvent.object_type == "scenario",
            AuditEvent.object_id == scenario_id,
        )
    ).all()
    out: dict[str, set[str]] = {}
    for payload in rows:
        for field, entry in (payload or {}).get("fields", {}).items():
            if isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str):
                out.setdefault(field, set()).add(entry["fingerprint"])
    return out


def check_personal_data(
    values: Mapping[str, Any],
    confirmed: Mapping[str, str] | None = None,
    before: Mapping[str, set[str]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Refuse free text that looks like personal data, unless confirmed field by field.

    A field passes when it has no findings, when ``confirmed[field]`` equals the fingerprint of its
    findings now, or when that fingerprint was confirmed at an earlier save (``before``). Changing
    the number or address changes the fingerprint, so the department is asked again.

    Returns:
        ``{field: {"kinds": [...], "fingerprint": fp}}`` of the confirmations new in this save (to
        be recorded in the audit log).

    Raises:
        PersonalDataFound: one ``FieldError`` per unconfirmed field and kind, and each field's
            fingerprint (what the confirm checkbox sends back).
    """
    confirmed, before = confirmed or {}, before or {}
    errors: list[FieldError] = []
    prints: dict[str, str] = {}
    newly: dict[str, dict[str, Any]] = {}
    for field, (kinds, fp) in personal_data(values).items():
        if fp in before.get(field, set()):
            continue
        if confirmed.get(field) == fp:
            newly[field] = {"kinds": list(kinds), "fingerprint": fp}
            continue
        prints[field] = fp
        errors += [
            FieldError(field, "validation.personal_data", {"kind": Key(f"pii.kind.{k}")}) for k in kinds
        ]
    if errors:
        raise PersonalDataFound(errors, prints)
    return newly


def _record_confirmations(
    session: Session, actor: Actor, scenario: Scenario, newly: dict[str, dict[str, Any]]
) -> None:
    """Audit row of the fields confirmed as not personal data (kinds and fingerprints, never the data)."""
    if newly:
        audit.record(session, actor, EventType.SCENARIO_PII_CONFIRMED, "scenario", scenario.id, fields=newly)


def check_edit(actor: Actor, scenario: Scenario) -> None:
    """May ``actor`` edit ``scenario`` now (its department, while a draft or sent back for changes)?"""
    require(actor, Action.SCENARIO_EDIT, scenario)
    if scenario.status not in EDITABLE:
        raise RuleViolation("error.scenario_not_editable", status=f"status.{scenario.status}")


def save_scenario(
    actor: Actor,
    scenario_id: int | None,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    submit: bool = False,
    pii_confirmed: Mapping[str, str] | None = None,
    session: Session,
) -> Scenario:
    """The edit form's save: create (``scenario_id`` None) or update, and optionally submit, as one use case.

    A refused submit leaves nothing saved, so the form keeps the user's text and shows every problem.
    ``pii_confirmed`` (``{field: fingerprint}``) confirms fields flagged as personal data.
    """
    if scenario_id is None:
        scenario = create_scenario(
            actor, data, pii_confirmed=pii_confirmed, session=session, for_submit=submit
        )
    else:
        scenario = update_scenario(
            actor,
            scenario_id,
            data,
            expected_version=expected_version,
            pii_confirmed=pii_confirmed,
            session=session,
            for_submit=submit,
        )
    if submit:
        submit_scenario(actor, scenario.id, session=session)
    return scenario


def update_scenario(
    actor: Actor,
    scenario_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int | None,
    pii_confirmed: Mapping[str, str] | None = None,
    session: Session,
    for_submit: bool = False,
) -> Scenario:
    """Edit a draft (or a scenario sent back for changes); a stale ``expected_version`` is a conflict.

    Personal data in free text is refused unless confirmed now or at an earlier save
    (``check_personal_data``).
    """
    scenario = get_or_404(session, Scenario, scenario_id)
    require(actor, Action.SCENARIO_EDIT, scenario)
    check_version(scenario, expected_version)
    check_edit(actor, scenario)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise RuleViolation("error.unknown_fields", fields=", ".join(sorted(unknown)))
    merged = {name: getattr(scenario, name) for name in FIELDS} | changes
    sc = validate_scenario(merged, session, for_submit=for_submit)
    before = confirmed_personal_data(session, scenario.id)
    newly = check_personal_data(sc.model_dump(), pii_confirmed, before)
    diff = apply_changes(scenario, sc.model_dump())
    if diff:
        session.add(scenario)
        session.flush()
        audit.record(session, actor, EventType.SCENARIO_UPDATED, "scenario", scenario.id, fields=sorted(diff))
        log_change(session, "scenario", scenario.id)
    _record_confirmations(session, actor, scenario, newly)
    return scenario


def submit_scenario(actor: Actor, scenario_id: int, *, session: Session) -> Scenario:
    """Send a draft to the data authority's review queue."""
    scenario = get_or_404(session, Scenario, scenario_id)
    require(actor, Action.SCENARIO_SUBMIT, scenario)
    values = {n: getattr(scenario, n) for n in FIELDS}
    validate_scenario(values, session, for_submit=True)
    check_personal_data(values, before=confirmed_personal_data(session, scenario.id))
    transition(session, scenario, S.SUBMITTED, actor=actor)
    notify(
        session,
        authority_user_ids(session),
        "scenario_submitted",
        object_type="scenario",
        object_id=scenario.id,
        title=scenario.title,
    )
    return scenario


def withdraw_scenario(actor: Actor, scenario_id: int, reason: str, *, session: Session) -> Scenario:
    scenario = get_or_404(session, Scenario, scenario_id)
    transition(session, scenario, S.WITHDRAWN, actor=actor, reason=reason)
    return scenario


def check_publish(actor: Actor, scenario: Scenario) -> None:
    """May ``actor`` publish ``scenario`` now? The authority, while its closing date is still ahead.

    Raises:
        PermissionDenied: not the authority.
        RuleViolation: ``error.closing_date_passed`` (a submitted scenario whose closing date is past).
    """
    require(actor, Action.SCENARIO_REVIEW, scenario)
    if scenario.status == S.SUBMITTED and scenario.closing_date <= clock.today():
        raise RuleViolation("error.closing_date_passed", date=scenario.closing_date)


def publish_scenario(actor: Actor, scenario_id: int, *, session: Session) -> Scenario:
    """Authority publishes a submitted scenario: it becomes public and open for questions and bids."""
    scenario = get_or_404(session, Scenario, scenario_id)
    check_publish(actor, scenario)
    transition(session, scenario, S.PUBLISHED, actor=actor)
    notify_org(
        session,
        scenario.org_id,
        "scenario_published",
        object_type="scenario",
        object_id=scenario.id,
        title=scenario.title,
    )
    return scenario


def request_changes(actor: Actor, scenario_id: int, message: str, *, session: Session) -> Scenario:
    scenario = get_or_404(session, Scenario, scenario_id)
    transition(session, scenario, S.CHANGES_REQUESTED, actor=actor, reason=message)
    notify_org(
        session,
        scenario.org_id,
        "changes_requested",
        object_type="scenario",
        object_id=scenario.id,
        title=scenario.title,
        message=message.strip(),
    )
    return scenario


def check_close(actor: Actor, scenario: Scenario) -> None:
    """May ``actor`` close bidding now? Only after the closing date, so sealed bids stay sealed until then."""
    require(actor, Action.SCENARIO_CLOSE, scenario)
    if scenario.status == S.PUBLISHED and clock.today() <= scenario.closing_date:
        raise RuleViolation("error.not_yet_closing", date=scenario.closing_date)


def close_scenario(actor: Actor, scenario_id: int, *, session: Session) -> Scenario:
    """Close bidding; only after the closing date, so sealed bids stay sealed until then."""
    scenario = get_or_404(session, Scenario, scenario_id)
    check_close(actor, scenario)
    transition(session, scenario, S.CLOSED, actor=actor)
    notify_org(
        session,
        scenario.org_id,
        "scenario_closed",
        object_type="scenario",
        object_id=scenario.id,
        title=scenario.title,
    )
    return scenario


def close_due_scenarios(actor: Actor, *, session: Session) -> list[int]:
    """Sweep: close every published scenario whose closing date has passed (run by the system actor)."""
    due = session.exec(
        select(Scenario).where(Scenario.status == S.PUBLISHED, Scenario.closing_date < clock.today())
    ).all()
    closed = []
    for scenario in due:
        close_scenario(actor, scenario.id, session=session)
        closed.append(scenario.id)
    return closed


def cancel_scenario(actor: Actor, scenario_id: int, reason: str, *, session: Session) -> Scenario:
    """Cancel a published or later scenario; every vendor with an active bid is told why."""
    scenario = get_or_404(session, Scenario, scenario_id)
    transition(session, scenario, S.CANCELLED, actor=actor, reason=reason)
    bidders = session.exec(
        select(Bid.vendor_org_id).where(Bid.scenario_id == scenario.id, col(Bid.status).in_(ACTIVE_BIDS))
    ).all()
    for org_id in set(bidders):
        notify_org(
            session,
            org_id,
            "scenario_cancelled",
            object_type="scenario",
            object_id=scenario.id,
            title=scenario.title,
            message=reason.strip(),
        )
    return scenario


def check_invite(actor: Actor, scenario: Scenario, vendor: Organization) -> None:
    """May ``actor`` invite ``vendor`` to ``scenario`` now? Its department or the authority, while published.

    Raises:
        PermissionDenied: not the scenario's department nor the authority.
        RuleViolation: ``error.not_a_vendor``; ``error.scenario_not_open`` (not published).
    """
    require(actor, Action.SCENARIO_INVITE, scenario)
    if vendor.kind != OrgKind.VENDOR:
        raise RuleViolation("error.not_a_vendor")
    if scenario.status != S.PUBLISHED:
        raise RuleViolation("error.scenario_not_open", status=f"status.{scenario.status}")


def invite_vendor(actor: Actor, scenario_id: int, vendor_org_id: int, *, session: Session) -> bool:
    """Invite a vendor to a published scenario (also opens invited-only scenarios to it).

    Returns False when the vendor was already invited (nothing is written twice).
    """
    scenario = get_or_404(session, Scenario, scenario_id)
    vendor = get_or_404(session, Organization, vendor_org_id, "vendor")
    check_invite(actor, scenario, vendor)
    exists = session.exec(
        select(ScenarioInvite).where(
            ScenarioInvite.scenario_id == scenario.id, ScenarioInvite.vendor_org_id == vendor.id
        )
    ).first()
    if exists:
        return False
    session.add(ScenarioInvite(scenario_id=scenario.id, vendor_org_id=vendor.id, invited_by=actor.user_id))
    log_change(session, "scenario", scenario.id)  # eligibility of invited-only scenarios changed
    audit.record(session, actor, EventType.SCENARIO_INVITED, "scenario", scenario.id, vendor_org_id=vendor.id)
    notify_org(
        session,
        vendor.id,
        "invited",
        object_type="scenario",
        object_id=scenario.id,
        title=scenario.title,
    )
    session.flush()
    return True


def is_invited(session: Session, scenario_id: int, vendor_org_id: int | None) -> bool:
    if vendor_org_id is None:
        return False
    row = session.exec(
        select(ScenarioInvite.id).where(
            ScenarioInvite.scenario_id == scenario_id, ScenarioInvite.vendor_org_id == vendor_org_id
        )
    ).first()
    return row is not None


def follow_scenario(actor: Actor, scenario_id: int, follow: bool = True, *, session: Session) -> bool:
    """Follow (or unfollow) a visible scenario; followers hear about answers and status changes."""
    require(actor, Action.SCENARIO_FOLLOW)
    scenario = get_scenario(actor, scenario_id, session=session)
    row = session.exec(
        select(Follow).where(Follow.user_id == actor.user_id, Follow.scenario_id == scenario.id)
    ).first()
    if follow and row is None:
        session.add(Follow(user_id=actor.user_id, scenario_id=scenario.id))
        audit.record(session, actor, EventType.SCENARIO_FOLLOWED, "scenario", scenario.id, follow=True)
    elif not follow and row is not None:
        session.delete(row)
        audit.record(session, actor, EventType.SCENARIO_FOLLOWED, "scenario", scenario.id, follow=False)
    session.flush()
    return follow


def is_following(actor: Actor, scenario_id: int, *, session: Session) -> bool:
    if actor.user_id is None:
        return False
    row = session.exec(
        select(Follow.id).where(Follow.user_id == actor.user_id, Follow.scenario_id == scenario_id)
    ).first()
    return row is not None


def follower_ids(session: Session, scenario_id: int) -> list[int]:
    return [r for r in session.exec(select(Follow.user_id).where(Follow.scenario_id == scenario_id))]


# ------------------------------------------------------------------------------------ reading


def get_scenario(actor: Actor, scenario_id: int, *, session: Session) -> Scenario:
    """Load a scenario the actor may see (unpublished ones: only its department and the authority)."""
    scenario = get_or_404(session, Scenario, scenario_id)
    if not can(actor, Action.SCENARIO_VIEW, scenario):
        # Do not reveal that an unpublished scenario exists.
        get_or_404(session, Scenario, None)
    return scenario


def to_public(scenario: Scenario, org_name: str = "", *, reveal: bool = False) -> ScenarioPublic:
    """Strip personal contact data and bookkeeping (what anonymous visitors, lists and exports get).

    Personal data written into the free text (ID, phone, bank card numbers, e-mail addresses,
    however written) is masked, whether or not the department confirmed it: the one place every
    public read goes through. ``reveal`` keeps the original, for the readers who may see it
    (``sees_personal_data``: the owning department and the authority).
    """
    public = ScenarioPublic.model_validate(scenario, update={"org_name": org_name})
    if reveal:
        return public
    return public.model_copy(
        update={name: pii.mask_value(getattr(public, name)) for name in pii.PUBLIC_TEXT_FIELDS}
    )


def sees_personal_data(actor: Actor, scenario: Scenario) -> bool:
    """The owning department and the authority read a scenario's text as written; everyone else masked."""
    return actor.is_authority or can(actor, Action.SCENARIO_MANAGE, scenario)


def shown_to(actor: Actor, scenario: Scenario, value: Any) -> Any:
    """Text about ``scenario`` (a question, an answer, a reason) as ``actor`` may read it."""
    return value if sees_personal_data(actor, scenario) else pii.mask_value(value)


def org_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Organization.id, Organization.name).where(col(Organization.id).in_(ids)))
    return {i: n for i, n in rows}


def list_public_scenarios(
    *,
    session: Session,
    sectors: list[str] | None = None,
    regions: list[str] | None = None,
    statuses: list[str] | None = None,
    closing_from: date | None = None,
    closing_to: date | None = None,
    budget_min: int | None = None,
    budget_max: int | None = None,
    text: str | None = None,
    call_id: int | None = None,
    ids: list[int] | None = None,
    limit: int = 500,
) -> list[ScenarioPublic]:
    """Published-or-later scenarios for everyone, newest first, with optional filters.

    ``text`` is a plain substring filter; semantic search goes through the matching service.
    ``budget_min``/``budget_max`` keep scenarios whose budget range overlaps the requested one.
    Arguments go through ``portal.domain.arguments`` first: text and codes are cleaned (a lone
    surrogate cannot match anything), out-of-range numbers are refused with a translated message.
    """
    sectors = arguments.codes_arg(sectors, "sector")
    regions = arguments.codes_arg(regions, "region")
    statuses = arguments.codes_arg(statuses, "status")
    budget_min = arguments.money_arg(budget_min, "budget_min")
    budget_max = arguments.money_arg(budget_max, "budget_max")
    call_id = arguments.id_arg(call_id, "call_id")
    ids = arguments.ids_arg(ids)
    wanted = [s for s in (statuses or [S.PUBLISHED]) if s in PUBLIC_STATUSES]
    q = select(Scenario).where(col(Scenario.status).in_(wanted or [S.PUBLISHED]))
    if sectors:
        q = q.where(col(Scenario.sector).in_(sectors))
    if regions:
        q = q.where(col(Scenario.region).in_(regions))
    if closing_from:
        q = q.where(Scenario.closing_date >= closing_from)
    if closing_to:
        q = q.where(Scenario.closing_date <= closing_to)
    if budget_min is not None:
        q = q.where(or_(Scenario.budget_max == None, Scenario.budget_max >= budget_min))  # noqa: E711
    if budget_max is not None:
        q = q.where(or_(Scenario.budget_min == None, Scenario.budget_min <= budget_max))  # noqa: E711
    if call_id is not None:
        q = q.where(Scenario.call_id == call_id)
    if ids is not None:
        q = q.where(col(Scenario.id).in_(ids))
    needle = arguments.search_text(text)
    if needle:
        # A literal substring: % and _ typed by a visitor are not wildcards.
        like = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(
            or_(
                col(Scenario.title).ilike(like, escape="\\"),
                col(Scenario.summary).ilike(like, escape="\\"),
                col(Scenario.title_en).ilike(like, escape="\\"),
            )
        )
    rows = session.exec(
        q.order_by(col(Scenario.published_at).desc(), col(Scenario.id).desc()).limit(limit)
    ).all()
    names = org_names(session, {r.org_id for r in rows})
    return [to_public(r, names.get(r.org_id, "")) for r in rows]


def list_my_scenarios(actor: Actor, *, session: Session, status: str | None = None) -> list[Scenario]:
    """A department's own scenarios (all statuses), most recently changed first."""
    require(actor, Action.SCENARIO_CREATE)
    q = select(Scenario).where(Scenario.org_id == actor.org_id)
    if status:
        q = q.where(Scenario.status == status)
    return list(session.exec(q.order_by(col(Scenario.updated_at).desc())).all())


def list_review_queue(actor: Actor, *, session: Session) -> list[Scenario]:
    """Submitted scenarios awaiting the authority, oldest first."""
    require(actor, Action.SCENARIO_REVIEW)
    q = select(Scenario).where(Scenario.status == S.SUBMITTED).order_by(col(Scenario.updated_at))
    return list(session.exec(q).all())


def list_all_scenarios(actor: Actor, *, session: Session, status: str | None = None) -> list[Scenario]:
    """Every scenario (authority only)."""
    require(actor, Action.DASHBOARD_VIEW)
    q = select(Scenario)
    if status:
        q = q.where(Scenario.status == status)
    return list(session.exec(q.order_by(col(Scenario.id))).all())


def status_history(actor: Actor, scenario_id: int, *, session: Session) -> list[StatusChange]:
    """Transitions of a scenario; reasons of internal steps only for its department and the authority."""
    scenario = get_scenario(actor, scenario_id, session=session)
    rows = list(
        session.exec(
            select(StatusChange)
            .where(StatusChange.object_type == "scenario", StatusChange.object_id == scenario.id)
            .order_by(col(StatusChange.at), col(StatusChange.id))
        ).all()
    )
    if actor.is_authority or (actor.is_department and actor.org_id == scenario.org_id):
        return rows
    return [r for r in rows if r.to_status in PUBLIC_STATUSES or r.to_status == S.CANCELLED]


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.exec(select(Scenario.status, func.count()).group_by(Scenario.status)).all()
    return {str(s): n for s, n in rows}
