"""State machines of the guarded objects: explicit transition tables, nothing else.

Why: one table per object type answers "may this status become that one, who must allow it, and is
a reason required". ``portal.services.door.transition`` is the only code that writes a status; it
consults these tables, so an illegal change fails with a message naming both states.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.domain.errors import InvalidTransition, RuleViolation
from portal.models import BidStatus, CallStatus, OfferStatus, ScenarioStatus, ShowcaseStatus, Verification
from portal.permissions import Action

MAX_REASON = 2000


@dataclass(frozen=True)
class Rule:
    """What a legal transition needs: a permission and, for exits and refusals, a reason."""

    action: Action
    reason_required: bool = False


@dataclass(frozen=True)
class Machine:
    name: str
    transitions: dict[tuple[str, str], Rule]
    labels: str = "status"  # catalogue prefix of this machine's status labels (``bid_status`` …)
    field: str = "status"  # the column the door writes (``verification`` for organisations)

    def rule(self, current: str, requested: str, reason: str = "") -> Rule:
        """Return the rule of ``current → requested`` or raise with a message naming both."""
        rule = self.transitions.get((str(current), str(requested)))
        if rule is None:
            raise InvalidTransition(
                obj=f"object.{self.name}",
                current=f"{self.labels}.{current}",
                requested=f"{self.labels}.{requested}",
            )
        text = (reason or "").strip()
        if rule.reason_required and not text:
            raise RuleViolation("error.reason_required", requested=f"{self.labels}.{requested}")
        if len(text) > MAX_REASON:
            raise RuleViolation("error.reason_too_long", limit=MAX_REASON)
        return rule

    def has(self, current: str, requested: str) -> bool:
        """Whether ``current → requested`` is an edge of this machine (reason not considered)."""
        return (str(current), str(requested)) in self.transitions

    def targets(self, current: str) -> list[str]:
        """Statuses reachable from ``current`` in one step."""
        return [to for (frm, to) in self.transitions if frm == str(current)]

    def states(self) -> set[str]:
        return {s for pair in self.transitions for s in pair}


S = ScenarioStatus
SCENARIO = Machine(
    "scenario",
    {
        (S.DRAFT, S.SUBMITTED): Rule(Action.SCENARIO_SUBMIT),
        (S.DRAFT, S.WITHDRAWN): Rule(Action.SCENARIO_WITHDRAW, True),
        (S.SUBMITTED, S.PUBLISHED): Rule(Action.SCENARIO_REVIEW),
        (S.SUBMITTED, S.CHANGES_REQUESTED): Rule(Action.SCENARIO_REVIEW, True),
        (S.SUBMITTED, S.WITHDRAWN): Rule(Action.SCENARIO_WITHDRAW, True),
        (S.CHANGES_REQUESTED, S.SUBMITTED): Rule(Action.SCENARIO_SUBMIT),
        (S.CHANGES_REQUESTED, S.WITHDRAWN): Rule(Action.SCENARIO_WITHDRAW, True),
        (S.PUBLISHED, S.CLOSED): Rule(Action.SCENARIO_CLOSE),
        (S.PUBLISHED, S.CANCELLED): Rule(Action.SCENARIO_CANCEL, True),
        (S.CLOSED, S.AWARDED): Rule(Action.SCENARIO_DECIDE),
        (S.CLOSED, S.NONE_SUITABLE): Rule(Action.SCENARIO_DECIDE, True),
        (S.CLOSED, S.CANCELLED): Rule(Action.SCENARIO_CANCEL, True),
        (S.AWARDED, S.IN_IMPLEMENTATION): Rule(Action.SCENARIO_DECIDE),
        (S.AWARDED, S.CANCELLED): Rule(Action.SCENARIO_CANCEL, True),
        (S.IN_IMPLEMENTATION, S.COMPLETED): Rule(Action.OUTCOME_RECORD),
        (S.IN_IMPLEMENTATION, S.CANCELLED): Rule(Action.SCENARIO_CANCEL, True),
        (S.COMPLETED, S.SHOWCASED): Rule(Action.SHOWCASE_PUBLISH),
    },
)

B = BidStatus
BID = Machine(
    "bid",
    {
        (B.DRAFT, B.SUBMITTED): Rule(Action.BID_EDIT),
        (B.DRAFT, B.WITHDRAWN): Rule(Action.BID_EDIT),
        (B.SUBMITTED, B.WITHDRAWN): Rule(Action.BID_EDIT),
        (B.WITHDRAWN, B.DRAFT): Rule(Action.BID_EDIT),
        # Decisions are the department's: the permission object is the bid's scenario.
        (B.SUBMITTED, B.SHORTLISTED): Rule(Action.SCENARIO_DECIDE),
        (B.SHORTLISTED, B.SUBMITTED): Rule(Action.SCENARIO_DECIDE),
        (B.SUBMITTED, B.AWARDED): Rule(Action.SCENARIO_DECIDE),
        (B.SHORTLISTED, B.AWARDED): Rule(Action.SCENARIO_DECIDE),
        (B.SUBMITTED, B.UNSUCCESSFUL): Rule(Action.SCENARIO_DECIDE),
        (B.SHORTLISTED, B.UNSUCCESSFUL): Rule(Action.SCENARIO_DECIDE),
    },
    labels="bid_status",
)

SC = ShowcaseStatus
SHOWCASE = Machine(
    "showcase",
    {
        (SC.DRAFT, SC.IN_REVIEW): Rule(Action.SHOWCASE_EDIT),
        (SC.IN_REVIEW, SC.DRAFT): Rule(Action.SHOWCASE_PUBLISH, True),
        (SC.IN_REVIEW, SC.PUBLISHED): Rule(Action.SHOWCASE_PUBLISH),
        (SC.PUBLISHED, SC.DRAFT): Rule(Action.SHOWCASE_PUBLISH, True),
    },
    labels="showcase_status",
)

C = CallStatus
CALL = Machine(
    "call",
    {
        (C.OPEN, C.CLOSED): Rule(Action.CALL_MANAGE),
        (C.CLOSED, C.OPEN): Rule(Action.CALL_MANAGE, True),
        (C.CLOSED, C.PUBLISHED): Rule(Action.CALL_MANAGE),
    },
    labels="call_status",
)

OF = OfferStatus
OFFER = Machine(
    "offer",
    {
        # A vendor retires its own offer (no longer matched) and may bring it back.
        (OF.ACTIVE, OF.RETIRED): Rule(Action.OFFER_EDIT),
        (OF.RETIRED, OF.ACTIVE): Rule(Action.OFFER_EDIT),
    },
    labels="offer_status",
)

V = Verification
#: Verification of an organisation (vendors are reviewed by the authority). A verified vendor that
#: changes its identity (name, English name, credit code) goes back to review, and so does a rejected
#: one that corrects its profile: both by the vendor's own edit (``org.edit``).
VERIFICATION = Machine(
    "organization",
    {
        (V.PENDING, V.VERIFIED): Rule(Action.VENDOR_VERIFY),
        (V.PENDING, V.REJECTED): Rule(Action.VENDOR_VERIFY, True),
        (V.VERIFIED, V.REJECTED): Rule(Action.VENDOR_VERIFY, True),
        (V.REJECTED, V.VERIFIED): Rule(Action.VENDOR_VERIFY),
        (V.VERIFIED, V.PENDING): Rule(Action.ORG_EDIT),
        (V.REJECTED, V.PENDING): Rule(Action.ORG_EDIT),
    },
    labels="verification",
    field="verification",
)

MACHINES = {m.name: m for m in (SCENARIO, BID, SHOWCASE, CALL, OFFER, VERIFICATION)}
