"""Pure business rules: no framework, no database, no network."""
