import reflex as rx

from myapprentice_app.config import get_settings

settings = get_settings()

config = rx.Config(
    app_name="myapprentice_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    cors_allowed_origins=[settings.app_url.rstrip("/")],
    # Pages reach the backend at the public address: behind a balancer that is not the web process's own port, and
    # every web process then builds the same frontend (same file names), so any of them can serve any page's files.
    api_url=settings.app_url.rstrip("/"),
    # The security headers hash each page's inline scripts, and read gzip only (api/security_headers.py).
    frontend_compression_formats=["gzip"],
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
    # Several web processes share the tabs' state in Redis. One process keeps it in memory (expiring after an
    # idle hour): Reflex's default disk manager pickles every tab to .states/ and re-reads the whole folder every
    # 2 s to purge it, yet `reflex run` wipes .states/ at every start, so the disk copy never outlives the process.
    state_manager_mode="redis" if settings.redis_url else "memory",
    redis_url=settings.redis_url,
)
