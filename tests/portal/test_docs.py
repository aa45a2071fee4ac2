"""Tests that fail when something is undocumented (datasette style).

* every ``Action`` has a row in docs/permissions.md;
* every ``EventType`` and every transition event ``<object>.<status>`` has a row in docs/events.md;
* docs/states.md is exactly what ``render_states()`` makes of the transition tables (regenerate with
  ``.venv/bin/python -m tests.portal.test_docs > docs/states.md``);
* every CLI command is named in docs (README or docs/*.md) with its ``python -m portal`` form.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.audit import EventType
from portal.cli import COMMANDS
from portal.domain.lifecycle import MACHINES
from portal.i18n import t
from portal.permissions import Action

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

HEAD = """# State machines

The transition tables of `portal.domain.lifecycle`: the only statuses and moves the portal allows.
`portal.services.door.transition` is the single writer of every status: it checks the table, the
permission (see [permissions.md](permissions.md)) and a required reason, then writes the status, a
status history row and the audit event `<object>.<to>` (see [events.md](events.md)) in one transaction.
Any other move fails with a message naming both states, e.g. *Cannot change scenario from 'Draft' to
'Published (open)'.*

Generated from the code: `.venv/bin/python -m tests.portal.test_docs > docs/states.md`.
`tests/portal/test_docs.py` fails when this file no longer matches the code.
"""


def render_states() -> str:
    """docs/states.md for the current transition tables."""
    out = [HEAD]
    for name, machine in MACHINES.items():
        out.append(f"## {name}\n")
        states = sorted(machine.states(), key=lambda s: list(type(s)).index(s))  # enum order
        out.append(
            "States: " + ", ".join(f"`{s}` ({t(f'{machine.labels}.{s}', 'zh')})" for s in states) + ".\n"
        )
        out.append("| From | To | Permission | Reason required |")
        out.append("|---|---|---|---|")
        for (frm, to), rule in machine.transitions.items():
            out.append(f"| `{frm}` | `{to}` | `{rule.action}` | {'yes' if rule.reason_required else 'no'} |")
        out.append("")
        out.append("```mermaid\nstateDiagram-v2")
        for frm, to in machine.transitions:
            out.append(f"    {frm} --> {to}")
        out.append("```\n")
    return "\n".join(out)


def _table_codes(path: Path) -> set[str]:
    """Backquoted codes in the first column of every table row of a doc."""
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([^`]+)` \|", text, flags=re.MULTILINE))


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_every_action_is_documented(action):
    assert str(action) in _table_codes(DOCS / "permissions.md"), f"document {action} in docs/permissions.md"


def test_permissions_doc_has_no_stale_actions():
    assert _table_codes(DOCS / "permissions.md") <= {str(a) for a in Action}


TRANSITION_EVENTS = sorted({f"{name}.{to}" for name, m in MACHINES.items() for (_frm, to) in m.transitions})


@pytest.mark.parametrize("event", [str(e) for e in EventType] + TRANSITION_EVENTS)
def test_every_audit_event_is_documented(event):
    assert event in _table_codes(DOCS / "events.md"), f"document {event} in docs/events.md"


def test_events_doc_has_no_stale_events():
    assert _table_codes(DOCS / "events.md") <= {str(e) for e in EventType} | set(TRANSITION_EVENTS)


def test_states_doc_matches_the_transition_tables():
    assert (DOCS / "states.md").read_text(encoding="utf-8") == render_states(), (
        "docs/states.md is stale: run .venv/bin/python -m tests.portal.test_docs > docs/states.md"
    )


def test_every_state_and_transition_appears_in_the_states_doc():
    text = (DOCS / "states.md").read_text(encoding="utf-8")
    for name, machine in MACHINES.items():
        assert f"## {name}" in text
        for frm, to in machine.transitions:
            assert f"| `{frm}` | `{to}` |" in text


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_cli_command_is_documented(command):
    texts = [p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *DOCS.glob("*.md")] if p.exists()]
    assert any(f"python -m portal {command}" in text for text in texts), (
        f"document `python -m portal {command}`"
    )


if __name__ == "__main__":
    print(render_states(), end="")
