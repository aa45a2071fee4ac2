"""Every page of the portal: its stable url path, file, title, menu section and audience.

Why one table: the navigation, the page guard and the direct-link gate all read it, so "who may open
this page" lives in one place. Every page is registered on every run under its own path (a page the
actor may not open is served by the gate: the login form for anonymous visitors, a refusal for other
roles), so a bookmark or a link in a notification never meets Streamlit's "Page not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from portal.permissions import Actor

PAGES_DIR = Path("portal/ui/pages")
ANON = "anonymous"
USER = "user"
DEPARTMENT, VENDOR, AUTHORITY = "department", "vendor", "authority"


@dataclass(frozen=True)
class PageSpec:
    url_path: str
    file: str
    title_key: str
    icon: str
    section: str
    audience: tuple[str, ...] | None = None  # None: everyone; roles, ANON or USER otherwise
    hidden: bool = False


SPECS: tuple[PageSpec, ...] = (
    PageSpec("home", "home.py", "ui.nav.home", ":material/home:", "public"),
    PageSpec("scenarios", "scenarios.py", "ui.nav.scenarios", ":material/list_alt:", "public"),
    PageSpec("scenario", "scenario.py", "ui.nav.scenario", ":material/article:", "public", hidden=True),
    PageSpec("showcases", "showcases.py", "ui.nav.showcases", ":material/star:", "public"),
    PageSpec("lists", "call_lists.py", "ui.nav.lists", ":material/format_list_numbered:", "public"),
    PageSpec("login", "login.py", "ui.nav.login", ":material/login:", "account", (ANON,)),
    PageSpec("register", "register.py", "ui.nav.register", ":material/person_add:", "account", (ANON,)),
    PageSpec("inbox", "notifications.py", "ui.nav.inbox", ":material/notifications:", "account", (USER,)),
    PageSpec("profile", "profile.py", "ui.nav.profile", ":material/settings:", "account", (USER,)),
    PageSpec(
        "subscriptions",
        "subscriptions.py",
        "ui.nav.subscriptions",
        ":material/mail:",
        "account",
        (USER,),
    ),
    #: No login: the signed token of the link is the authorisation (the e-mail's List-Unsubscribe target).
    PageSpec(
        "unsubscribe",
        "unsubscribe.py",
        "ui.nav.unsubscribe",
        ":material/unsubscribe:",
        "account",
        hidden=True,
    ),
    PageSpec(
        "my-scenarios", "dept_scenarios.py", "ui.nav.my_scenarios", ":material/folder:", "work", (DEPARTMENT,)
    ),
    PageSpec(
        "edit-scenario", "dept_edit.py", "ui.nav.new_scenario", ":material/edit_note:", "work", (DEPARTMENT,)
    ),
    PageSpec(
        "manage", "dept_manage.py", "ui.nav.manage", ":material/tune:", "work", (DEPARTMENT,), hidden=True
    ),
    PageSpec(
        "recommended",
        "vendor_recommended.py",
        "ui.nav.recommended",
        ":material/recommend:",
        "work",
        (VENDOR,),
    ),
    PageSpec("offers", "vendor_offers.py", "ui.nav.offers", ":material/inventory_2:", "work", (VENDOR,)),
    PageSpec("my-bids", "vendor_bids.py", "ui.nav.my_bids", ":material/gavel:", "work", (VENDOR,)),
    PageSpec("review", "auth_review.py", "ui.nav.review", ":material/fact_check:", "work", (AUTHORITY,)),
    PageSpec("calls", "auth_calls.py", "ui.nav.calls", ":material/campaign:", "work", (AUTHORITY,)),
    PageSpec(
        "vendors", "auth_vendors.py", "ui.nav.vendors", ":material/verified_user:", "work", (AUTHORITY,)
    ),
    PageSpec("users", "auth_users.py", "ui.nav.users", ":material/group:", "work", (AUTHORITY,)),
    PageSpec("board", "auth_board.py", "ui.nav.board", ":material/hub:", "work", (AUTHORITY,)),
    PageSpec(
        "curation", "auth_showcases.py", "ui.nav.curation", ":material/auto_awesome:", "work", (AUTHORITY,)
    ),
    PageSpec(
        "dashboard", "auth_dashboard.py", "ui.nav.dashboard", ":material/monitoring:", "work", (AUTHORITY,)
    ),
    PageSpec("audit", "auth_audit.py", "ui.nav.audit", ":material/history:", "work", (AUTHORITY,)),
    PageSpec("import", "auth_import.py", "ui.nav.import", ":material/upload_file:", "work", (AUTHORITY,)),
    PageSpec("export", "auth_export.py", "ui.nav.export", ":material/download:", "work", (AUTHORITY,)),
    PageSpec("outbox", "auth_outbox.py", "ui.nav.outbox", ":material/outbox:", "work", (AUTHORITY,)),
)
BY_PATH = {spec.url_path: spec for spec in SPECS}
BY_FILE = {spec.file: spec for spec in SPECS}

#: The page a role lands on (after login, or at the site root).
HOME = {DEPARTMENT: "my-scenarios", VENDOR: "recommended", AUTHORITY: "review"}


def home_of(actor: Actor) -> str:
    """The url path of the actor's start page."""
    return "home" if actor.is_anonymous else HOME.get(str(actor.role), "home")


def visible_to(spec: PageSpec, actor: Actor) -> bool:
    """Whether ``actor`` may open the page (otherwise the gate answers at its path)."""
    if spec.audience is None:
        return True
    if actor.is_anonymous:
        return ANON in spec.audience
    return USER in spec.audience or str(actor.role) in spec.audience
