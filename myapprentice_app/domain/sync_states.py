"""The states of a Xero connection, of a sync run and of a batch sent to Xero."""

from __future__ import annotations

from enum import StrEnum


class ConnectionStatus(StrEnum):
    NOT_CONNECTED = "not_connected"  # no row: never connected, or disconnected
    CHOOSE_ORG = "choose_org"  # Xero allowed several organisations: someone picks one
    CONNECTED = "connected"
    NEEDS_RECONNECT = "needs_reconnect"  # Xero refused the token: someone connects again

    @property
    def label(self) -> str:
        return _CONNECTION_LABELS[self]


_CONNECTION_LABELS = {
    ConnectionStatus.NOT_CONNECTED: "Not connected",
    ConnectionStatus.CHOOSE_ORG: "Choose an organisation",
    ConnectionStatus.CONNECTED: "Connected",
    ConnectionStatus.NEEDS_RECONNECT: "Needs reconnecting",
}


class RunKind(StrEnum):
    PUSH = "push"
    SEND_ALL = "send_all"
    SYNC_ALL = "sync_all"
    PAYMENTS = "payments"


class RunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"  # a worker holds it (heartbeat)
    WAITING = "waiting"  # Xero was unavailable: tried again at next_try_at
    DONE = "done"


ACTIVE_RUN_STATES = (RunState.QUEUED, RunState.RUNNING, RunState.WAITING)
BOARD_RUN_KINDS = (RunKind.PUSH, RunKind.SEND_ALL, RunKind.SYNC_ALL)  # the runs a person asked for


class BatchState(StrEnum):
    SENDING = "sending"  # stored before the request: left so, its outcome is unknown
    DONE = "done"
    UNSENT = "unsent"
    RECONCILED = "reconciled"  # its outcome was looked up in Xero
    ABANDONED = "abandoned"


class ItemOutcome(StrEnum):
    """An invoice's outcome within one run."""

    PENDING = "pending"
    SYNCED = "synced"
    ERROR = "error"
