"""A tab whose web process died keeps its state when it reconnects to another one.

Reflex (0.10.1) records in Redis which web process holds each tab's socket, and treats a tab that connects while
such a record exists as a duplicated browser tab: it gives it a new client token, so a fresh, empty state. A web
process that is killed never deletes its records, so for an hour (the record's lifetime) every tab it held would
come back empty on another process (reflex-dev/reflex#6345, #6252). Here each web process holds a Redis
connection named after itself, which Redis drops the moment the process dies; a record whose owner has no such
connection any more belongs to nobody and is deleted before Reflex looks, so the tab keeps its token and state.
"""

from __future__ import annotations

import pickle

from redis.asyncio import ConnectionPool, Redis
from reflex.utils.token_manager import RedisTokenManager

PRESENCE_PREFIX = "myapprentice-web-"


class LiveOwnerTokenManager(RedisTokenManager):
    _presence: Redis | None = None

    async def link_token_to_sid(self, token: str, sid: str) -> str | None:
        if self.token_to_socket.get(token) is None:
            await self._announce()
            raw = await self.redis.get(self._get_redis_key(token))
            owner = pickle.loads(raw).instance_id if raw else None
            if owner is not None and owner != self.instance_id and not await self._alive(owner):
                await self.redis.delete(self._get_redis_key(token))
        return await super().link_token_to_sid(token, sid)

    async def _announce(self) -> None:
        """Open this process's named connection (once); it lives as long as the process."""
        if self._presence is None:
            pool = self.redis.connection_pool
            self._presence = Redis(connection_pool=ConnectionPool(
                connection_class=pool.connection_class,
                **{**pool.connection_kwargs, "client_name": PRESENCE_PREFIX + self.instance_id}))
            await self._presence.ping()

    async def _alive(self, instance_id: str) -> bool:
        return any(client.get("name") == PRESENCE_PREFIX + instance_id for client in await self.redis.client_list())

    async def close(self) -> None:
        if self._presence is not None:
            await self._presence.aclose()
        await super().close()


def free_sockets_of_dead_processes(app) -> None:  # type: ignore[no-untyped-def]
    """A lifespan task: before this web process serves, its token manager becomes LiveOwnerTokenManager."""
    namespace = app.event_namespace
    if namespace is not None and type(namespace._token_manager) is RedisTokenManager:
        namespace._token_manager.__class__ = LiveOwnerTokenManager
