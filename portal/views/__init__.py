"""Read models: what one screen shows, and what the actor may do on it now.

Why (Rails' Pundit, Decidim): a page must never re-derive a rule. Each builder here is a query use
case ``build(actor, ..., *, session) -> FrozenView``: it loads what the screen needs through the
services, applies the same permission table, state machines and deadline checks the commands use
(``allows``), and returns a frozen value whose ``actions`` list the buttons to draw. The page calls
it through ``portal.services.runner.read`` and renders; the command it then triggers checks the
very same functions again, so no rule lives twice.

Views import services, models and permissions; never streamlit or ``portal.ui``.
"""
