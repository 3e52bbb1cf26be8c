"""The Xero sandbox on a free port shared with the integration tier."""

from tests.integration.xero.conftest import admin, calm_sandbox, immediate_huey, sandbox_url, tenant

__all__ = ["admin", "calm_sandbox", "immediate_huey", "sandbox_url", "tenant"]
