"""Read side: role-scoped queries that return view models, never ORM rows."""
