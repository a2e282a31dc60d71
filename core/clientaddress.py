"""The network address of whoever sent a request: the one answer every limit and the audit trail
use (sign-in lockout through axes, check-in and short-link limits, public forms, audit events).

Behind TLS proxies REMOTE_ADDR is the nearest proxy's address. Each proxy that we trust appends
the address it received the request from to X-Forwarded-For (nginx `$proxy_add_x_forwarded_for`,
Traefik, Caddy, cloud load balancers), so with TRUSTED_PROXY_COUNT = N the client is the N-th
address counted from the right of "X-Forwarded-For, REMOTE_ADDR". Anything further left was
written by the client and is never believed: a client adding its own X-Forwarded-For entries only
pushes them further left. With N = 0 (the default, no proxy) X-Forwarded-For is ignored.
"""

from django.conf import settings
from django.http import HttpRequest
from python_ipware import IpWare

_CHAIN = "HTTP_X_FORWARDED_FOR"


def client_address(request: HttpRequest) -> str:
    """The client's address as the trusted proxies saw it; REMOTE_ADDR when there are none (or
    the request did not come through them)."""
    meta = getattr(request, "META", None) or {}
    remote = str(meta.get("REMOTE_ADDR") or "").strip()
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = str(meta.get(_CHAIN) or "")
    # REMOTE_ADDR is the last hop of the chain: the proxy nearest to us. python-ipware counts the
    # proxies after the client in one chain, so the whole chain is handed to it with its end.
    chain = ", ".join(part for part in (forwarded, remote) if part.strip())
    address, _ = IpWare(precedence=(_CHAIN,), proxy_count=trusted).get_client_ip(
        {_CHAIN: chain}, strict=False
    )
    # A shorter chain than the proxies we trust means the request did not come through them.
    return str(address) if address is not None else remote
