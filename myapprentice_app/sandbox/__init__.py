"""Stand-in servers for the third-party services MyApprentice talks to (run offline, in tests and demos)."""
