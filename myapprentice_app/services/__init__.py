"""Use cases: each checks the actor's permission, applies the rules and commits."""
