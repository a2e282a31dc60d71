from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import ListView

from core.permissions import RoleRequiredMixin
from core.roles import Role
from notifications.models import Notification
from notifications.selectors import notification_failed_list, notification_retrying_count
from notifications.services import RETRY_DELAYS, notification_resend


class FailedListView(RoleRequiredMixin, ListView):
    """Email that could not be delivered after every retry, with a way to send it again."""

    roles = (Role.COORDINATOR,)
    template_name = "notifications/failed_list.html"
    context_object_name = "notifications"
    paginate_by = 50

    def get_queryset(self):
        return notification_failed_list()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            retrying=notification_retrying_count(), retries=len(RETRY_DELAYS), **kwargs
        )


class ResendView(RoleRequiredMixin, View):
    """POST: queue a failed message again."""

    roles = (Role.COORDINATOR,)
    http_method_names = ["post"]

    def post(self, request, pk: int):
        notification = get_object_or_404(Notification, pk=pk)
        try:
            notification_resend(notification=notification, by=request.user, request=request)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request, f"The message to {notification.recipient_email} is queued to go again."
            )
        return redirect("notifications:failed-list")
