"""Page-level access by role. Object-level access (whose claim, whose notes) is done by the
selectors, which return only what the person may see, so a stranger's object is a 404."""

from django.contrib.auth.mixins import AccessMixin, LoginRequiredMixin
from django.core.exceptions import PermissionDenied


class RoleRequiredMixin(LoginRequiredMixin, AccessMixin):
    """Signed-out visitors go to sign in; signed-in people without one of `roles` get 403."""

    roles: tuple[str, ...] = ()
    allow_admin = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        user = request.user
        if not (user.has_role(*self.roles) or (self.allow_admin and user.is_superuser)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
