"""The product's settings with channels_redis's pub/sub channel layer instead of the
default (list-based) one: a diagnostic for the live-feed figure, not a product setting."""

from knock.settings import *  # noqa: F403 - Django's usual settings-variant pattern

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL]},  # noqa: F405
    }
}
