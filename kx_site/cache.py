"""The shared cache on Redis, degrading to a cache that remembers nothing while Redis is down.

Every page reads the shared cache (Wagtail keeps its site root paths there), so an unreachable
Redis must not answer readers with an error. While it is down, reads miss and writes are
dropped, and each failure is logged. ``add`` answers False, so that what uses it as a lock or a
guard fails closed: allauth then counts a TOTP code as already used (staff cannot finish signing
in until Redis is back) and its rate limiter waits its one second for the lock before going on.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _degrading(name, answer_when_down):
    method = getattr(RedisCache, name)

    def degrading(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE:
            logger.exception("The shared cache (Redis) is unreachable: %s", name)
            return answer_when_down(*args, **kwargs)

    degrading.__name__ = name
    degrading.__doc__ = method.__doc__
    return degrading


def _default(key, default=None, version=None):
    return default


class ResilientRedisCache(RedisCache):
    get = _degrading("get", _default)
    get_many = _degrading("get_many", lambda *args, **kwargs: {})
    has_key = _degrading("has_key", lambda *args, **kwargs: False)
    add = _degrading("add", lambda *args, **kwargs: False)
    set = _degrading("set", lambda *args, **kwargs: None)
    set_many = _degrading("set_many", lambda *args, **kwargs: [])
    touch = _degrading("touch", lambda *args, **kwargs: False)
    delete = _degrading("delete", lambda *args, **kwargs: False)
    delete_many = _degrading("delete_many", lambda *args, **kwargs: None)
    clear = _degrading("clear", lambda *args, **kwargs: False)
