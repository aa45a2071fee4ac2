"""Domain errors: each carries a catalogue key and parameters, so the UI shows it in any language.

Why: a service refuses by raising; the page catches ``PortalError`` and renders
``err.message(lang)``. ``str(err)`` is English for logs and tracebacks.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.i18n import t


class PortalError(Exception):
    """Base of every refusal a user can see."""

    key = "error.generic"

    def __init__(self, key: str | None = None, **params: object) -> None:
        self.key = key or type(self).key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        return t(self.key, lang, **self.params)


class PermissionDenied(PortalError):
    key = "error.permission_denied"


class NotAuthenticated(PermissionDenied):
    key = "error.not_authenticated"


class NotFound(PortalError):
    key = "error.not_found"


class InvalidTransition(PortalError):
    """Raised for a status change the state machine does not allow."""

    key = "error.invalid_transition"


@dataclass(frozen=True)
class ChangedField:
    """One field someone else changed since the form was rendered, with its value now."""

    field: str  # a ``field.*`` catalogue suffix, e.g. "title" (or "status")
    value: str  # the current value as display text (already shortened)
    amount: int | None = None  # set for money fields (CNY), so the page can format it


class Conflict(PortalError):
    """Optimistic-lock failure: someone else saved the object since it was loaded.

    ``changes`` lists what the other save changed (and the values now), ``by``/``at`` who saved it
    and when, so the page can show the other person's change instead of silently overwriting it.
    """

    key = "error.conflict"

    def __init__(
        self,
        key: str | None = None,
        *,
        changes: tuple[ChangedField, ...] = (),
        by: str = "",
        at: object = None,
        **params: object,
    ) -> None:
        self.changes = changes
        self.by = by
        self.at = at
        super().__init__(key, by=by, **params)


class RuleViolation(PortalError):
    """A business rule refuses the action (deadline passed, not eligible, …)."""


class AuthError(PortalError):
    key = "error.login_failed"


@dataclass(frozen=True)
class FieldError:
    field: str
    key: str
    params: dict[str, object]

    def message(self, lang: str = "zh") -> str:
        return t(self.key, lang, field=t(f"field.{self.field}", lang), **self.params)


class ValidationFailed(PortalError):
    """Input rejected; ``errors`` lists one translated message per offending field."""

    key = "error.validation"

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__(count=len(errors))

    def message(self, lang: str = "zh") -> str:
        head = t(self.key, lang, count=len(self.errors))
        return head + "\n" + "\n".join(f"- {e.message(lang)}" for e in self.errors)


class PersonalDataFound(ValidationFailed):
    """Free text that looks like personal data (``portal.domain.pii``), per field and kind.

    ``fingerprints`` names what was found in each field; sending it back as
    ``pii_confirmed={field: fingerprint}`` confirms that it is not personal data (a changed number
    has another fingerprint and is asked about again).
    """

    key = "error.personal_data"

    def __init__(self, errors: list[FieldError], fingerprints: dict[str, str]) -> None:
        self.fingerprints = fingerprints
        super().__init__(errors)
