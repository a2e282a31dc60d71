"""The request type of views that only a signed-in person reaches."""

from django.http import HttpRequest

from people.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """Annotation only: behind `login_required`, `request.user` is a `User`, never anonymous.

    Nothing constructs it; Django still passes its own `HttpRequest`."""

    user: User
