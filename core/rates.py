"""The floor the members' procedure sets under the site's own rate limits.

A rate limit guards against scripts. On what the charter grants a member (signalling,
co-sponsoring, voting) it may slow a burst, never stop a member from doing what the charter
allows within its own limits: a rate such as "0/d" or "1/d" would silence every member without
a vote. So such a rate must let a member act at least once a minute (1,440 times a day, above
any daily allowance the charter can set); the site refuses to start with one that does not.
"""

import re

from django.core.exceptions import ImproperlyConfigured

# The longest a member may be made to wait between two acts the charter grants.
LONGEST_WAIT_SECONDS = 60
# django-ratelimit's own syntax: "10/m", "5/15m".
RATE = re.compile(r"(\d+)/(\d*)([smhd])")
PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3_600, "d": 86_400}


def procedural_rate(variable: str, rate: str) -> str:
    """`rate`, read from the environment `variable`, if it only slows bursts; empty turns the
    limit off."""
    if not rate:
        return rate
    read = RATE.fullmatch(rate)
    if read is None:
        raise ImproperlyConfigured(
            f'{variable}="{rate}" is not a rate: write count/period, e.g. "10/m".'
        )
    count = int(read[1])
    seconds = int(read[2] or 1) * PERIOD_SECONDS[read[3]]
    if count < 1 or seconds / count > LONGEST_WAIT_SECONDS:
        raise ImproperlyConfigured(
            f'{variable}="{rate}" would stop members from doing what their charter allows: '
            f"a limit on signalling, co-sponsoring or voting may slow a burst, but must let a "
            f'member act at least once a minute (e.g. "1/m" or "10/m"), or be empty to turn '
            f"it off."
        )
    return rate
