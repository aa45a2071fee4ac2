"""Domain rules that do not need a database: errors, state machines, validators."""
