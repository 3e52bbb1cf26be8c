"""`python -m myapprentice_app COMMAND`: migrate, seed-demo, create-user, sandbox servers."""

from __future__ import annotations

import argparse
import os
import sys

from myapprentice_app.config import get_settings
from myapprentice_app.db import session_scope
from myapprentice_app.domain.roles import Role


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m myapprentice_app")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply the database migrations")
    commands.add_parser("seed-demo", help="add the demo businesses and logins (once)")
    commands.add_parser("demo-logins", help="print the demo logins")
    create_user = commands.add_parser("create-user", help="add a user to a new or existing business")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--name", required=True)
    create_user.add_argument("--business", required=True)
    create_user.add_argument("--role", choices=[role.value for role in Role], default=Role.OWNER.value)
    commands.add_parser("worker", help="run a task-queue consumer (the Procfile's worker; WORKER_RUNS at once)")
    sandbox = commands.add_parser("sandbox", help="run a local sandbox of an outside service")
    sandbox.add_argument("which", choices=["xero", "stripe"])
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int)
    sandbox.add_argument("--state", help="file to keep the sandbox's data in between runs")
    sandbox.add_argument("--rate-limits", choices=["off", "real"], default="off",
                         help="xero: enforce Xero's rate limits from the start, as Xero does (the Procfiles do); "
                              "tests switch them on and off through the admin API")
    args = parser.parse_args(argv)

    if args.command == "migrate":
        from myapprentice_app.migrate import upgrade

        upgrade()
    elif args.command == "seed-demo":
        from myapprentice_app import demo

        with session_scope() as session:
            print("Demo data added." if demo.seed(session) else "Demo data already present; nothing added.")
    elif args.command == "demo-logins":
        _print_demo_logins()
    elif args.command == "create-user":
        return _create_user(args)
    elif args.command == "worker":
        _worker()
    elif args.command == "sandbox":
        return _sandbox(args)
    return 0


def _print_demo_logins() -> None:
    from myapprentice_app.demo import DEMO_LOGINS, DEMO_PASSWORD

    print(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for login in DEMO_LOGINS:
        print(f"  {login.role.label:<15} {login.email:<30} {login.business}")


def _create_user(args: argparse.Namespace) -> int:
    import getpass

    from sqlmodel import select

    from myapprentice_app.models import Business, Membership
    from myapprentice_app.services import auth
    from myapprentice_app.services.errors import ValidationFailed

    password = getpass.getpass("Password: ")
    with session_scope() as session:
        business = session.exec(select(Business).where(Business.name == args.business)).first()
        if business is None:
            business = Business(name=args.business)
            session.add(business)
            session.flush()
        try:
            user = auth.create_user(session, email=args.email, name=args.name, password=password)
        except ValidationFailed as exc:
            print(f"Not created: {exc}", file=sys.stderr)
            return 2
        session.add(Membership(user_id=user.id, business_id=business.id, role=args.role))  # type: ignore[arg-type]
        session.commit()
    print(f"Created {args.email} as {Role(args.role).label} of {args.business}.")
    return 0


def _worker() -> None:
    threads = get_settings().worker_runs  # one consumer thread per task (a sync run, mostly) worked at once
    # Its runs write briefly between Xero's answers: 10 connections serve 16 runs, and leave PostgreSQL's 100
    # for 4 workers and 2 web processes (README "Running scaled out").
    os.environ.setdefault("DATABASE_CONNECTIONS", "10")
    consumer = os.path.join(os.path.dirname(sys.executable), "huey_consumer")
    # The SQLite queue is polled: huey's default backs off to 10 s between looks, so a Push to Xero could
    # sit unnoticed that long. Each thread looks at least every 10 ms × threads, so the process looks about
    # every 10 ms whatever their number: pick-up stays instant for ~1% of a core while idle. Redis's blocking
    # read needs no polling.
    os.execv(consumer, [consumer, "myapprentice_app.jobs.huey_app.huey", "--workers", str(threads),
                        "--worker-type", "thread", "--delay", "0.01", "--max-delay", f"{0.01 * threads:.2f}"])


def _sandbox(args: argparse.Namespace) -> int:
    if args.which == "stripe":
        from myapprentice_app.integrations.stripe.client import SANDBOX_WEBHOOK_SECRET, webhook_secret
        from myapprentice_app.sandbox.stripe.server import serve as serve_stripe

        # The sandbox signs and delivers its events to this app's webhook at the app's configured address,
        # as a Connect endpoint registered in Stripe's Dashboard would be (README "Real Stripe").
        os.environ.setdefault("STRIPE_SANDBOX_WEBHOOK_URL", f"{get_settings().app_url.rstrip('/')}/api/stripe/webhook")
        os.environ.setdefault("STRIPE_SANDBOX_WEBHOOK_SECRET", webhook_secret() or SANDBOX_WEBHOOK_SECRET)

        serve_stripe(args.host, args.port or 8902, args.state)
        return 0
    from myapprentice_app.sandbox.xero.server import serve

    serve(args.host, args.port or 8901, args.state, args.rate_limits)
    return 0
