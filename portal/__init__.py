"""场景通 Scenario Bridge: the portal package (domain, storage, services, UI).

Layers (see docs/architecture.md): ``models`` (SQLModel tables) → ``domain`` (state machines,
validation rules, pure functions) → ``services`` (use cases; permission checks, transactions,
audit) → ``ui`` (Streamlit pages that call services and render). ``matching`` is a separate
library that never imports ``portal``.
"""

__version__ = "0.1.0"
