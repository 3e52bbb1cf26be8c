"""The Xero sandbox on a free port shared with the integration tier."""

from tests.integration.xero.conftest import calm_sandbox, immediate_huey, tenant

__all__ = ["calm_sandbox", "immediate_huey", "tenant"]
