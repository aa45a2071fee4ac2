"""SQLModel tables: the database is the source of truth for everything the portal shows.

Model families follow the FastAPI SQLModel template: ``XBase`` holds the editable fields and their
validation, ``XCreate``/``XUpdate`` are the service inputs, ``X(table=True)`` adds keys, status and
bookkeeping, ``XPublic`` is what anonymous visitors may see. Status columns are written only by
``portal.domain.lifecycle.transition`` (one guarded door). Every editable table carries ``version``
(optimistic lock, enforced by SQLAlchemy's version counter and by the services' expected-version
check).

No ``from __future__ import annotations`` here: it breaks SQLModel relationships.
"""

import enum
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, UniqueConstraint
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from portal import clock
from portal.domain.arguments import MAX_ID, InputRules, ListLimit

# Named constraints, so that later migrations can drop or change them (SQLite batch mode needs names).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# MAX_ID (largest primary key, PostgreSQL INTEGER) comes from portal.domain.arguments: ids beyond it name no row.

#: List/JSON fields: at most this many entries of at most this many characters (docs/validation.md).
CODES = ListLimit(items=30, chars=40)
LINES = ListLimit(items=50, chars=200)
INDICATORS = ListLimit(items=30, chars=200, keys=4)

# ---------------------------------------------------------------------------------------- enums


class OrgKind(enum.StrEnum):
    DEPARTMENT = "department"  # 行业主管部门
    VENDOR = "vendor"  # 市场主体
    AUTHORITY = "authority"  # 数据主管部门


class Role(enum.StrEnum):
    DEPARTMENT = "department"
    VENDOR = "vendor"
    AUTHORITY = "authority"


class Verification(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class ScenarioStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    CLOSED = "closed"
    AWARDED = "awarded"
    IN_IMPLEMENTATION = "in_implementation"
    COMPLETED = "completed"
    SHOWCASED = "showcased"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    NONE_SUITABLE = "none_suitable"


class Eligibility(enum.StrEnum):
    OPEN = "open"  # every verified vendor
    INVITED = "invited"  # invited vendors only


class CallStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class BidStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    SHORTLISTED = "shortlisted"
    AWARDED = "awarded"
    UNSUCCESSFUL = "unsuccessful"


class OfferStatus(enum.StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


class Maturity(enum.StrEnum):
    CONCEPT = "concept"
    PILOT = "pilot"
    DEPLOYED = "deployed"
    SCALED = "scaled"


class ShowcaseStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _json_dict() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class _Stamped(SQLModel):
    created_at: datetime = Field(default_factory=clock.now, nullable=False)
    updated_at: datetime = Field(default_factory=clock.now, nullable=False)


class _Versioned(_Stamped):
    """Optimistic lock: SQLAlchemy bumps ``version`` on every UPDATE and refuses a stale one."""

    version: int = Field(default=1, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}


# ---------------------------------------------------------------------------------- organizations


class OrganizationBase(SQLModel):
    input_rules: ClassVar[InputRules] = InputRules(lists={"sectors": CODES, "service_regions": CODES})
    name: str = Field(min_length=2, max_length=120)
    name_en: str = Field(default="", max_length=200)
    region: str = Field(max_length=40)
    sectors: list[str] = _json_list()
    description: str = Field(default="", max_length=4000)
    contact_name: str = Field(default="", max_length=60)
    contact_phone: str = Field(default="", max_length=40)
    contact_email: str = Field(default="", max_length=120)
    service_regions: list[str] = _json_list()


class Organization(OrganizationBase, _Versioned, table=True):
    __tablename__ = "organization"
    id: int | None = Field(default=None, primary_key=True)
    kind: OrgKind = Field(index=True)
    uscc: str | None = Field(default=None, unique=True, max_length=18)  # 统一社会信用代码 (vendors)
    verification: Verification = Field(default=Verification.PENDING, index=True)
    demo_key: str | None = Field(default=None, unique=True, max_length=20)


class OrganizationUpdate(SQLModel):
    name: str | None = None
    name_en: str | None = None
    region: str | None = None
    sectors: list[str] | None = None
    description: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    service_regions: list[str] | None = None


# ------------------------------------------------------------------------------------------ users


class User(_Versioned, table=True):
    __tablename__ = "user_account"
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    username: str = Field(unique=True, max_length=60)
    display_name: str = Field(max_length=60)
    password_hash: str
    role: Role
    language: str = Field(default="zh", max_length=5)
    is_active: bool = True
    is_demo: bool = False
    failed_logins: int = 0
    locked_until: datetime | None = None
    last_login_at: datetime | None = None
    password_changed_at: datetime | None = None
    email: str = Field(default="", max_length=254)  # where e-mail notifications go (empty: in-app only)


class LoginSession(SQLModel, table=True):
    """A remembered login: the browser keeps a random token in the ``sb_session`` cookie.

    Only the SHA-256 of the token is stored, so a copy of the database cannot be replayed as a
    login. A session ends at logout (``revoked_at``), after ``Settings.session_timeout_minutes``
    without use (``last_seen_at``) or at ``expires_at`` (absolute cap), whichever comes first.
    """

    __tablename__ = "login_session"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=clock.now, nullable=False)
    last_seen_at: datetime = Field(default_factory=clock.now, nullable=False)
    expires_at: datetime
    revoked_at: datetime | None = None


class LoginThrottle(SQLModel, table=True):
    """Failed logins of a username that names no account, so that its lockout looks like a real one.

    Why: an account locks after five failures; if unknown usernames never locked, five tries would
    tell an attacker which usernames exist. Only the SHA-256 of the typed name is kept (people type
    passwords into the username field). Old rows are purged with the ended login sessions.
    """

    __tablename__ = "login_throttle"
    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(unique=True, max_length=64)
    failed: int = 0
    locked_until: datetime | None = None
    updated_at: datetime = Field(default_factory=clock.now, nullable=False)


# ------------------------------------------------------------------------------------------ calls


class CallBase(SQLModel):
    input_rules: ClassVar[InputRules] = InputRules(min_weight={"theme": 4}, lists={"sectors": CODES})
    theme: str = Field(max_length=120)
    theme_en: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=4000)
    sectors: list[str] = _json_list()
    opens_on: date
    closes_on: date


class Call(CallBase, _Versioned, table=True):
    """征集批次: the authority's campaign collecting scenario demands; published as 第N批场景清单."""

    __tablename__ = "call"
    id: int | None = Field(default=None, primary_key=True)
    status: CallStatus = Field(default=CallStatus.OPEN, index=True)
    batch_number: int | None = Field(default=None, unique=True)
    published_at: datetime | None = None
    demo_key: str | None = Field(default=None, unique=True, max_length=20)


class CallCreate(CallBase):
    pass


# -------------------------------------------------------------------------------------- scenarios


class ScenarioBase(SQLModel):
    # Minimum lengths are weighted (a CJK character counts 2) and list sizes bounded: see InputRules.
    input_rules: ClassVar[InputRules] = InputRules(
        min_weight={"title": 4, "summary": 10, "description": 20},
        lists={"data_resources": LINES, "indicators": INDICATORS},
    )
    title: str = Field(max_length=120)
    title_en: str = Field(default="", max_length=200)
    summary: str = Field(max_length=500)
    description: str = Field(max_length=8000)
    sector: str = Field(max_length=40, index=True)
    region: str = Field(max_length=40, index=True)
    data_resources: list[str] = _json_list()
    expected_outcomes: str = Field(default="", max_length=4000)
    indicators: list[dict[str, str]] = _json_list()
    budget_min: int | None = Field(default=None, ge=0, le=10_000_000_000, sa_type=BigInteger)
    budget_max: int | None = Field(default=None, ge=0, le=10_000_000_000, sa_type=BigInteger)
    eligibility: Eligibility = Eligibility.OPEN
    question_deadline: date
    closing_date: date
    contact_name: str = Field(default="", max_length=60)
    contact_phone: str = Field(default="", max_length=40)
    contact_email: str = Field(default="", max_length=120)
    call_id: int | None = Field(default=None, foreign_key="call.id", index=True, ge=1, le=MAX_ID)


class Scenario(ScenarioBase, _Versioned, table=True):
    """场景需求: a department's demand, moving through the lifecycle in ``domain.lifecycle``."""

    __tablename__ = "scenario"
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    status: ScenarioStatus = Field(default=ScenarioStatus.DRAFT, index=True)
    published_at: datetime | None = None
    closed_at: datetime | None = None
    awarded_at: datetime | None = None
    list_number: int | None = None  # position within its call's published list
    demo_key: str | None = Field(default=None, unique=True, max_length=20)


class ScenarioCreate(ScenarioBase):
    pass


class ScenarioUpdate(SQLModel):
    title: str | None = None
    title_en: str | None = None
    summary: str | None = None
    description: str | None = None
    sector: str | None = None
    region: str | None = None
    data_resources: list[str] | None = None
    expected_outcomes: str | None = None
    indicators: list[dict[str, str]] | None = None
    budget_min: int | None = None
    budget_max: int | None = None
    eligibility: Eligibility | None = None
    question_deadline: date | None = None
    closing_date: date | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    call_id: int | None = None


class ScenarioPublic(SQLModel):
    """What anonymous visitors see: no personal contact data, no internal bookkeeping."""

    id: int
    title: str
    title_en: str
    summary: str
    description: str
    sector: str
    region: str
    data_resources: list[str]
    expected_outcomes: str
    indicators: list[dict[str, str]]
    budget_min: int | None
    budget_max: int | None
    eligibility: Eligibility
    question_deadline: date
    closing_date: date
    status: ScenarioStatus
    published_at: datetime | None
    org_id: int
    org_name: str = ""
    call_id: int | None = None
    list_number: int | None = None


class ScenarioInvite(SQLModel, table=True):
    __tablename__ = "scenario_invite"
    __table_args__ = (UniqueConstraint("scenario_id", "vendor_org_id"),)
    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="scenario.id", index=True)
    vendor_org_id: int = Field(foreign_key="organization.id", index=True)
    invited_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=clock.now)


class Follow(SQLModel, table=True):
    __tablename__ = "follow"
    __table_args__ = (UniqueConstraint("user_id", "scenario_id"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    scenario_id: int = Field(foreign_key="scenario.id", index=True)
    created_at: datetime = Field(default_factory=clock.now)


class StatusChange(SQLModel, table=True):
    """Status history of every guarded object (scenario, bid, showcase, call)."""

    __tablename__ = "status_change"
    __table_args__ = (Index("ix_status_change_object", "object_type", "object_id"),)
    id: int | None = Field(default=None, primary_key=True)
    object_type: str = Field(max_length=20)
    object_id: int
    from_status: str | None = Field(default=None, max_length=30)
    to_status: str = Field(max_length=30)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    reason: str = Field(default="", max_length=2000)
    at: datetime = Field(default_factory=clock.now, index=True)


class Question(_Versioned, table=True):
    """Clarification question; the answer is visible to every bidder (and to the public)."""

    __tablename__ = "question"
    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="scenario.id", index=True)
    vendor_org_id: int = Field(foreign_key="organization.id", index=True)
    asked_by: int | None = Field(default=None, foreign_key="user_account.id")
    text: str = Field(max_length=2000)
    answer: str | None = Field(default=None, max_length=4000)
    answered_by: int | None = Field(default=None, foreign_key="user_account.id")
    answered_at: datetime | None = None


# ----------------------------------------------------------------------------------------- offers


class OfferBase(SQLModel):
    input_rules: ClassVar[InputRules] = InputRules(
        min_weight={"title": 4, "description": 20},
        lists={"sectors": CODES, "regions": CODES, "reference_cases": ListLimit(items=10, chars=500)},
    )
    title: str = Field(max_length=120)
    description: str = Field(max_length=8000)
    sectors: list[str] = _json_list()
    regions: list[str] = _json_list()
    reference_cases: list[str] = _json_list()
    maturity: Maturity = Maturity.PILOT
    language: str = Field(default="zh", max_length=5)


class Offer(OfferBase, _Versioned, table=True):
    """解决方案: a vendor's solution offer, matched against scenarios."""

    __tablename__ = "offer"
    id: int | None = Field(default=None, primary_key=True)
    vendor_org_id: int = Field(foreign_key="organization.id", index=True)
    status: OfferStatus = Field(default=OfferStatus.ACTIVE, index=True)
    demo_key: str | None = Field(default=None, unique=True, max_length=20)


class OfferCreate(OfferBase):
    pass


class OfferUpdate(SQLModel):
    title: str | None = None
    description: str | None = None
    sectors: list[str] | None = None
    regions: list[str] | None = None
    reference_cases: list[str] | None = None
    maturity: Maturity | None = None
    language: str | None = None


# ------------------------------------------------------------------------------------------- bids


class BidBase(SQLModel):
    input_rules: ClassVar[InputRules] = InputRules(min_weight={"approach": 20, "timeline": 4, "team": 4})
    approach: str = Field(max_length=8000)
    timeline: str = Field(max_length=2000)
    price: int = Field(ge=0, le=10_000_000_000, sa_type=BigInteger)  # CNY amounts exceed 32 bits
    team: str = Field(max_length=2000)
    offer_id: int | None = Field(default=None, foreign_key="offer.id", ge=1, le=MAX_ID)


class Bid(BidBase, _Versioned, table=True):
    """揭榜 proposal; sealed (visible only to its vendor and the authority) until the closing date."""

    __tablename__ = "bid"
    __table_args__ = (UniqueConstraint("scenario_id", "vendor_org_id"),)
    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="scenario.id", index=True)
    vendor_org_id: int = Field(foreign_key="organization.id", index=True)
    status: BidStatus = Field(default=BidStatus.DRAFT, index=True)
    submitted_at: datetime | None = None


class BidCreate(BidBase):
    pass


class BidUpdate(SQLModel):
    approach: str | None = None
    timeline: str | None = None
    price: int | None = None
    team: str | None = None
    offer_id: int | None = None


# --------------------------------------------------------------------------- outcomes, showcases


class Outcome(_Versioned, table=True):
    __tablename__ = "outcome"
    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="scenario.id", unique=True)
    vendor_org_id: int = Field(foreign_key="organization.id", index=True)
    bid_id: int | None = Field(default=None, foreign_key="bid.id")
    contract_value: int | None = Field(default=None, ge=0, le=10_000_000_000, sa_type=BigInteger)
    start_date: date | None = None
    end_date: date | None = None
    summary: str = Field(default="", max_length=8000)
    achieved_indicators: list[dict[str, str]] = _json_list()


class Showcase(_Versioned, table=True):
    """示范场景: the curated story of a completed scenario."""

    __tablename__ = "showcase"
    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="scenario.id", unique=True)
    org_id: int = Field(foreign_key="organization.id", index=True)  # the scenario's department
    title: str = Field(max_length=120)
    title_en: str = Field(default="", max_length=200)
    story: str = Field(max_length=8000)
    indicators: list[dict[str, str]] = _json_list()
    status: ShowcaseStatus = Field(default=ShowcaseStatus.DRAFT, index=True)
    published_at: datetime | None = None


# ------------------------------------------------------------------------ notifications, audit


class Notification(SQLModel, table=True):
    __tablename__ = "notification"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    kind: str = Field(max_length=40)
    params: dict[str, Any] = _json_dict()
    object_type: str | None = Field(default=None, max_length=20)
    object_id: int | None = None
    created_at: datetime = Field(default_factory=clock.now, index=True)
    read_at: datetime | None = None


class AuditEvent(SQLModel, table=True):
    """Append-only record of every state change, written in the same transaction as the change."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=clock.now, index=True)
    event: str = Field(max_length=60, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    actor_org_id: int | None = None
    object_type: str = Field(max_length=20, index=True)
    object_id: int | None = Field(default=None, index=True)
    payload: dict[str, Any] = _json_dict()


class ChangeLog(SQLModel, table=True):
    """Monotonic log of content changes that other processes apply to their own vector indexes."""

    __tablename__ = "change_log"
    id: int | None = Field(default=None, primary_key=True)
    object_type: str = Field(max_length=20)
    object_id: int
    op: str = Field(max_length=10)  # upsert | delete
    at: datetime = Field(default_factory=clock.now)


# ------------------------------------------------------------------------------------ reach (mail)


class Channel(enum.StrEnum):
    """How one kind of notification reaches a user."""

    IN_APP = "in_app"  # only the portal's inbox
    IMMEDIATE = "immediate"  # inbox, and an e-mail right away
    DIGEST = "digest"  # inbox, and a line in the next daily digest e-mail


class OutboxState(enum.StrEnum):
    """Delivery bookkeeping, not a business status: the row itself is its log (attempts, error, sent_at)."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # gave up after MAX_ATTEMPTS; stays visible to the authority, can be requeued


class MailSettings(SQLModel, table=True):
    """One user's delivery choices (a missing row means the defaults of ``subscriptions``)."""

    __tablename__ = "mail_settings"
    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    channels: dict[str, str] = _json_dict()  # notification kind -> Channel (missing: the default)
    profile_sectors: bool = True  # a vendor follows the sectors of its own profile unless it opts out
    paused: bool = False  # one-click unsubscribe: no e-mail at all until the user turns it back on
    last_digest_at: datetime | None = None
    updated_at: datetime = Field(default_factory=clock.now, nullable=False)


class Subscription(SQLModel, table=True):
    """A sector, a region or a saved search (free text plus filters) a user wants to hear about."""

    __tablename__ = "subscription"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    kind: str = Field(max_length=10)  # sector | region | search
    value: str = Field(default="", max_length=200)  # the code, or the free-text query
    filters: dict[str, Any] = _json_dict()  # search: {"sectors": [...], "regions": [...]}
    created_at: datetime = Field(default_factory=clock.now, nullable=False)


class OutboxMessage(SQLModel, table=True):
    """An e-mail written in the transaction of the action that caused it, delivered afterwards."""

    __tablename__ = "outbox_message"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=120)  # what it is about: the same key is never sent twice
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    to_addr: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body_text: str
    body_html: str
    headers: dict[str, str] = _json_dict()
    state: OutboxState = Field(default=OutboxState.QUEUED, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=clock.now, index=True)
    lease_until: datetime | None = None  # a sender holds it until then (two senders never both send)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=clock.now, nullable=False)
    sent_at: datetime | None = None


class DeliveryLog(SQLModel, table=True):
    """Digests and reminders already dispatched: the unique key makes a second run send nothing."""

    __tablename__ = "delivery_log"
    key: str = Field(primary_key=True, max_length=120)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    at: datetime = Field(default_factory=clock.now, nullable=False)


class PortalSecret(SQLModel, table=True):
    """Secrets every portal process shares (the unsubscribe-token key); the database is the source of truth."""

    __tablename__ = "portal_secret"
    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)


# ------------------------------------------------------------------------------------ attachments


class FileBlob(SQLModel, table=True):
    """The bytes of one uploaded file, stored once per content hash (two uploads of one file share it)."""

    __tablename__ = "file_blob"
    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    media_type: str = Field(max_length=100)  # detected from the content, never from the name
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=clock.now, nullable=False)


class Attachment(SQLModel, table=True):
    """A file on a scenario (annex), a bid (proposal) or an organisation (licence); see ``services.attachments``."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_object", "object_type", "object_id"),)
    id: int | None = Field(default=None, primary_key=True)
    object_type: str = Field(max_length=20)  # scenario | bid | organization
    object_id: int
    kind: str = Field(max_length=20)  # annex | proposal | licence
    sha256: str = Field(foreign_key="file_blob.sha256", index=True, max_length=64)
    filename: str = Field(max_length=200)  # cleaned, extension of the detected type
    media_type: str = Field(max_length=100)
    size: int
    uploaded_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=clock.now, nullable=False)
    removed_at: datetime | None = None  # removed files stay for the audit trail, never served again
    removed_by: int | None = Field(default=None, foreign_key="user_account.id")


# ------------------------------------------------------------------------------ stored vectors


class RecordVector(SQLModel, table=True):
    """One embedding per (model id, record kind, record id): computed once, loaded by every process.

    Derived data (the record's text decides it, see ``content_hash``), but kept in the database so a
    change is embedded by one process and a new process embeds nothing (docs/matching.md). The vector
    is stored compactly: ``codec`` ``f16`` (IEEE half floats, little-endian) or ``i8`` (one float32
    scale, then int8 components).
    """

    __tablename__ = "record_vector"
    model_id: str = Field(primary_key=True, max_length=160)
    kind: str = Field(primary_key=True, max_length=20)
    record_id: int = Field(primary_key=True)
    content_hash: str = Field(max_length=64)
    dim: int
    codec: str = Field(max_length=8)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, nullable=False)


class EmbedLease(SQLModel, table=True):
    """A process's claim to embed one record's text for one model, until ``expires_at`` (epoch seconds).

    Two processes never embed the same change: a claim succeeds only where no live lease exists; the
    holder stores the vector and drops the lease in one transaction. A crashed holder's lease expires
    and another process claims the work.
    """

    __tablename__ = "embed_lease"
    model_id: str = Field(primary_key=True, max_length=160)
    kind: str = Field(primary_key=True, max_length=20)
    record_id: int = Field(primary_key=True)
    content_hash: str = Field(max_length=64)
    holder: str = Field(max_length=80)
    expires_at: float = Field(index=True)


class VectorModel(SQLModel, table=True):
    """The embedding models whose vectors are stored, and which set is complete (``ready``).

    Processes serve from the ready model; a process configured with another ``PORTAL_EMBEDDER``
    embeds that model's set in the background (``building``, progress in ``done``/``total``) and
    switches once it is complete.
    """

    __tablename__ = "vector_model"
    model_id: str = Field(primary_key=True, max_length=160)
    embedder: str = Field(max_length=200)  # the PORTAL_EMBEDDER value that builds this model
    dim: int
    state: str = Field(max_length=12)  # building | ready | retired
    done: int = 0
    total: int = 0
    updated_at: datetime = Field(default_factory=clock.now, nullable=False)


EDITABLE_TABLES = (Organization, User, Call, Scenario, Question, Offer, Bid, Outcome, Showcase)
