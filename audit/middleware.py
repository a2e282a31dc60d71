from django.core.exceptions import PermissionDenied

from audit.actions import AccessAction
from audit.services import audit_record


class AuditPermissionDeniedMiddleware:
    """Record every refused page (PermissionDenied) with who and which path; Django still
    answers with its 403 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            audit_record(action=AccessAction.PERMISSION_DENIED, request=request)
        return None
