"""The production server's speed-ups are installed and picked (requirements.txt)."""


def test_the_production_server_picks_uvloop_and_httptools_by_default():
    """`uvicorn knock.asgi:application` (README) leaves --loop and --http at auto."""
    from uvicorn.loops.auto import auto_loop_factory
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    loop = auto_loop_factory()()
    try:
        assert type(loop).__module__.startswith("uvloop")
    finally:
        loop.close()
    assert AutoHTTPProtocol.__name__ == "HttpToolsProtocol"


def test_redis_py_parses_replies_with_hiredis():
    """The feed's publisher (routing/feed_redis.py) uses redis-py, which picks hiredis."""
    from redis.utils import HIREDIS_AVAILABLE

    assert HIREDIS_AVAILABLE
