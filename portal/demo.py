"""Demo data loader: realistic Chinese content from ``data/demo`` with dates relative to today.

Why relative dates: the demo must always look current (open scenarios close in the future, awarded
ones closed in the past). Loading is idempotent: every row carries a ``demo_key`` and existing
keys are skipped; the whole load is one transaction. Demo accounts are flagged ``is_demo`` so
production mode can refuse to start while any of them is active.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from portal import audit, clock
from portal.audit import EventType
from portal.config import DATA_DIR
from portal.models import (
    Bid,
    Call,
    Organization,
    OrgKind,
    Outcome,
    Question,
    Scenario,
    ScenarioStatus,
    Showcase,
    StatusChange,
    User,
    Verification,
)
from portal.permissions import SYSTEM
from portal.services.accounts import hash_password

DEMO_DIR = DATA_DIR / "demo"
DEMO_PASSWORD = "demo-2026"  # documented in the README; production mode refuses demo accounts
#: Demo users' e-mail: ``<username>@demo.example.com`` (a reserved domain: with ``PORTAL_SMTP_URL``
#: pointed at a test relay the demo shows digests and reminders, and nothing can reach a real person).
DEMO_MAIL_DOMAIN = "demo.example.com"

S = ScenarioStatus
#: The path every demo scenario walked to reach its status (history rows are written for each step).
PATHS: dict[str, list[str]] = {
    S.DRAFT: [],
    S.SUBMITTED: [S.SUBMITTED],
    S.CHANGES_REQUESTED: [S.SUBMITTED, S.CHANGES_REQUESTED],
    S.PUBLISHED: [S.SUBMITTED, S.PUBLISHED],
    S.CLOSED: [S.SUBMITTED, S.PUBLISHED, S.CLOSED],
    S.AWARDED: [S.SUBMITTED, S.PUBLISHED, S.CLOSED, S.AWARDED],
    S.IN_IMPLEMENTATION: [S.SUBMITTED, S.PUBLISHED, S.CLOSED, S.AWARDED, S.IN_IMPLEMENTATION],
    S.COMPLETED: [S.SUBMITTED, S.PUBLISHED, S.CLOSED, S.AWARDED, S.IN_IMPLEMENTATION, S.COMPLETED],
    S.SHOWCASED: [
        S.SUBMITTED,
        S.PUBLISHED,
        S.CLOSED,
        S.AWARDED,
        S.IN_IMPLEMENTATION,
        S.COMPLETED,
        S.SHOWCASED,
    ],
    S.WITHDRAWN: [S.SUBMITTED, S.WITHDRAWN],
    S.CANCELLED: [S.SUBMITTED, S.PUBLISHED, S.CANCELLED],
    S.NONE_SUITABLE: [S.SUBMITTED, S.PUBLISHED, S.CLOSED, S.NONE_SUITABLE],
}


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    skipped: int = 0

    def add(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _read(directory: Path, name: str) -> Any:
    with open(directory / name, encoding="utf-8") as fh:
        return json.load(fh)


def _day(days: int | None) -> Any:
    return None if days is None else clock.today() + timedelta(days=int(days))


def _at(days: int | None, hour: int = 2) -> datetime:
    base = clock.now().replace(hour=hour, minute=0, second=0, microsecond=0)
    return base + timedelta(days=int(days or 0))


class _Loader:
    def __init__(self, session: Session, directory: Path) -> None:
        self.s = session
        self.dir = directory
        self.report = LoadReport()
        self.orgs: dict[str, Organization] = {}
        self.calls: dict[str, Call] = {}
        self.scenarios: dict[str, Scenario] = {}
        self.offers: dict[str, Any] = {}
        self.users: dict[str, User] = {}
        self.pw_hash = hash_password(DEMO_PASSWORD)

    def _existing(self, model: Any, key: str) -> Any:
        return self.s.exec(select(model).where(model.demo_key == key)).first()

    def org(
        self, key: str, kind: OrgKind, row: dict[str, Any], username: str, display: str, lang: str
    ) -> None:
        org = self._existing(Organization, key)
        if org is None:
            verified = row.get("verified", True)
            org = Organization(
                demo_key=key,
                kind=kind,
                name=row["name"],
                name_en=row.get("name_en", ""),
                region=row.get("region", "province"),
                sectors=list(row.get("sectors", [])),
                description=row.get("description", ""),
                contact_name=row.get("contact_name", ""),
                contact_phone=row.get("contact_phone", ""),
                contact_email=row.get("contact_email", ""),
                service_regions=list(row.get("service_regions", [])),
                uscc=row.get("uscc"),
                verification=Verification.VERIFIED if verified else Verification.PENDING,
            )
            self.s.add(org)
            self.s.flush()
            self.report.add("organizations")
        else:
            self.report.skipped += 1
        self.orgs[key] = org
        user = self.s.exec(select(User).where(User.username == username)).first()
        if user is None:
            from portal.services.accounts import ROLE_FOR_KIND

            user = User(
                org_id=org.id,
                username=username,
                display_name=display,
                password_hash=self.pw_hash,
                role=ROLE_FOR_KIND[kind],
                language=lang,
                email=f"{username}@{DEMO_MAIL_DOMAIN}",
                is_demo=True,
            )
            self.s.add(user)
            self.s.flush()
            self.report.add("users")
        self.users[key] = user

    def load(self) -> LoadReport:
        deps = _read(self.dir, "departments.json")
        auth = deps["authority"]
        self.org(auth["key"], OrgKind.AUTHORITY, auth, "authority", "数据局管理员", "zh")
        for i, row in enumerate(deps["departments"], start=1):
            self.org(row["key"], OrgKind.DEPARTMENT, row, f"dept{i:02d}", row["name"][:20] + "联络员", "zh")
        for i, row in enumerate(_read(self.dir, "vendors.json"), start=1):
            lang = row.get("language", "zh")
            self.org(
                row["key"],
                OrgKind.VENDOR,
                row,
                f"vendor{i:02d}",
                (row.get("contact_name") or row["name"])[:40],
                lang,
            )
        self._calls()
        self._offers()
        self._scenarios()
        self._questions()
        self._bids()
        self._outcomes()
        self._showcases()
        if self.report.total:
            audit.record(self.s, SYSTEM, EventType.DEMO_LOADED, "demo", None, created=self.report.created)
        return self.report

    def _calls(self) -> None:
        for row in _read(self.dir, "calls.json"):
            call = self._existing(Call, row["key"])
            if call is None:
                call = Call(
                    demo_key=row["key"],
                    theme=row["theme"],
                    theme_en=row.get("theme_en", ""),
                    description=row.get("description", ""),
                    sectors=list(row.get("sectors", [])),
                    opens_on=_day(row["opens_days"]),
                    closes_on=_day(row["closes_days"]),
                    status=row.get("status", "open"),
                    batch_number=row.get("batch_number") if row.get("status") == "published" else None,
                    published_at=_at(row["closes_days"] + 5) if row.get("status") == "published" else None,
                )
                self.s.add(call)
                self.report.add("calls")
            self.calls[row["key"]] = call
        self.s.flush()

    def _offers(self) -> None:
        from portal.models import Offer

        for row in _read(self.dir, "offers.json"):
            offer = self._existing(Offer, row["key"])
            if offer is None:
                offer = Offer(
                    demo_key=row["key"],
                    vendor_org_id=self.orgs[row["vendor"]].id,
                    title=row["title"],
                    description=row["description"],
                    sectors=list(row.get("sectors", [])),
                    regions=list(row.get("regions", [])),
                    reference_cases=list(row.get("reference_cases", [])),
                    maturity=row.get("maturity", "pilot"),
                    language=row.get("language", "zh"),
                    status=row.get("status", "active"),
                )
                self.s.add(offer)
                self.report.add("offers")
            self.offers[row["key"]] = offer
        self.s.flush()

    def _scenarios(self) -> None:
        for row in _read(self.dir, "scenarios.json"):
            scenario = self._existing(Scenario, row["key"])
            if scenario is not None:
                self.scenarios[row["key"]] = scenario
                continue
            status = row["status"]
            created = int(row.get("created_days", -60))
            closing = int(row["closing_days"])
            path = PATHS[status]
            org = self.orgs[row["department"]]
            scenario = Scenario(
                demo_key=row["key"],
                org_id=org.id,
                created_by=self.users[row["department"]].id,
                call_id=self.calls[row["call"]].id if row.get("call") else None,
                title=row["title"],
                title_en=row.get("title_en", ""),
                summary=row["summary"],
                description=row["description"],
                sector=row["sector"],
                region=row["region"],
                data_resources=list(row.get("data_resources", [])),
                expected_outcomes=row.get("expected_outcomes", ""),
                indicators=list(row.get("indicators", [])),
                budget_min=row.get("budget_min"),
                budget_max=row.get("budget_max"),
                eligibility=row.get("eligibility", "open"),
                question_deadline=_day(row.get("question_deadline_days", closing - 7)),
                closing_date=_day(closing),
                contact_name=row.get("contact_name", ""),
                contact_phone=row.get("contact_phone", ""),
                contact_email=row.get("contact_email", ""),
                status=status,
                created_at=_at(created),
                updated_at=_at(created),
            )
            self.s.add(scenario)
            self.s.flush()
            self._history(scenario, path, created, closing, row.get("status_reason", ""))
            self.scenarios[row["key"]] = scenario
            self.report.add("scenarios")
        self.s.flush()

    def _history(self, scenario: Scenario, path: list[str], created: int, closing: int, reason: str) -> None:
        """Write the status history of the demo scenario's path, spread over plausible dates."""
        authority = self.users["A01"].id
        dept = scenario.created_by
        prev = S.DRAFT
        publish_day = min(created + 7, closing - 20)
        days = {
            S.SUBMITTED: created + 2,
            S.CHANGES_REQUESTED: created + 5,
            S.PUBLISHED: publish_day,
            S.CLOSED: closing + 1,
            S.AWARDED: closing + 15,
            S.IN_IMPLEMENTATION: closing + 25,
            S.COMPLETED: min(closing + 200, -20),
            S.SHOWCASED: min(closing + 230, -5),
            S.WITHDRAWN: created + 6,
            S.CANCELLED: min(publish_day + 10, -1),
            S.NONE_SUITABLE: closing + 15,
        }
        for step in path:
            at = _at(min(days[step], 0))
            by = authority if step in (S.PUBLISHED, S.CHANGES_REQUESTED, S.SHOWCASED) else dept
            needs_reason = step in (S.WITHDRAWN, S.CANCELLED, S.NONE_SUITABLE, S.CHANGES_REQUESTED)
            self.s.add(
                StatusChange(
                    object_type="scenario",
                    object_id=scenario.id,
                    from_status=prev,
                    to_status=step,
                    actor_id=None if step == S.CLOSED else by,
                    reason=(reason or "（演示数据）") if needs_reason else "",
                    at=at,
                )
            )
            if step == S.PUBLISHED:
                scenario.published_at = at
            elif step == S.CLOSED:
                scenario.closed_at = at
            elif step == S.AWARDED:
                scenario.awarded_at = at
            scenario.updated_at = at
            prev = step

    def _questions(self) -> None:
        if self.report.created.get("scenarios", 0) == 0:
            return
        for row in _read(self.dir, "questions.json"):
            scenario = self.scenarios[row["scenario"]]
            vendor = self.orgs[row["vendor"]]
            asked = _at(row.get("asked_days", -5))
            question = Question(
                scenario_id=scenario.id,
                vendor_org_id=vendor.id,
                asked_by=self.users[row["vendor"]].id,
                text=row["question"],
                answer=row.get("answer"),
                answered_by=scenario.created_by if row.get("answer") else None,
                answered_at=_at(row.get("answered_days", -1)) if row.get("answer") else None,
                created_at=asked,
                updated_at=asked,
            )
            self.s.add(question)
            self.report.add("questions")
        self.s.flush()

    def _bids(self) -> None:
        if self.report.created.get("scenarios", 0) == 0:
            return
        for row in _read(self.dir, "bids.json"):
            scenario = self.scenarios[row["scenario"]]
            vendor = self.orgs[row["vendor"]]
            at = _at(row.get("submitted_days", -10))
            offer = self.offers.get(row.get("offer") or "")
            bid = Bid(
                scenario_id=scenario.id,
                vendor_org_id=vendor.id,
                offer_id=offer.id if offer is not None else None,
                approach=row["approach"],
                timeline=row["timeline"],
                price=int(row["price"]),
                team=row["team"],
                status=row["status"],
                submitted_at=None if row["status"] == "draft" else at,
                created_at=at,
                updated_at=at,
            )
            self.s.add(bid)
            self.s.flush()
            if row["status"] != "draft":
                self.s.add(
                    StatusChange(
                        object_type="bid",
                        object_id=bid.id,
                        from_status="draft",
                        to_status="submitted",
                        actor_id=self.users[row["vendor"]].id,
                        at=at,
                    )
                )
                if row["status"] != "submitted":
                    self.s.add(
                        StatusChange(
                            object_type="bid",
                            object_id=bid.id,
                            from_status="submitted",
                            to_status=row["status"],
                            actor_id=scenario.created_by,
                            at=scenario.awarded_at or scenario.closed_at or at,
                        )
                    )
            self.report.add("bids")
        self.s.flush()

    def _outcomes(self) -> None:
        if self.report.created.get("scenarios", 0) == 0:
            return
        for row in _read(self.dir, "outcomes.json"):
            scenario = self.scenarios[row["scenario"]]
            vendor = self.orgs[row["vendor"]]
            bid = self.s.exec(
                select(Bid).where(Bid.scenario_id == scenario.id, Bid.vendor_org_id == vendor.id)
            ).first()
            self.s.add(
                Outcome(
                    scenario_id=scenario.id,
                    vendor_org_id=vendor.id,
                    bid_id=bid.id if bid else None,
                    contract_value=row.get("contract_value"),
                    start_date=_day(row.get("start_days")),
                    end_date=_day(row.get("end_days")),
                    summary=row.get("summary", ""),
                    achieved_indicators=list(row.get("achieved_indicators", [])),
                )
            )
            self.report.add("outcomes")
        self.s.flush()

    def _showcases(self) -> None:
        if self.report.created.get("scenarios", 0) == 0:
            return
        for row in _read(self.dir, "showcases.json"):
            scenario = self.scenarios[row["scenario"]]
            status = row.get("status", "published")
            self.s.add(
                Showcase(
                    scenario_id=scenario.id,
                    org_id=scenario.org_id,
                    title=row["title"],
                    title_en=row.get("title_en", ""),
                    story=row["story"],
                    indicators=list(row.get("indicators", [])),
                    status=status,
                    published_at=scenario.updated_at if status == "published" else None,
                )
            )
            self.report.add("showcases")
        self.s.flush()


def load_demo(session: Session, directory: Path = DEMO_DIR) -> LoadReport:
    """Load the demo data set into ``session`` (caller commits). Running it twice adds nothing."""
    return _Loader(session, directory).load()
