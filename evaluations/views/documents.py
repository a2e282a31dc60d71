"""Documents: the session report PDF, the certificates zip, and a learner's own certificate
through their feedback link."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.views.generic import View

from audit.actions import ExportAction
from audit.services import audit_record
from core.permissions import RoleRequiredMixin
from evaluations.pdf import certificates_zip, render_certificate_pdf, render_session_report_pdf
from evaluations.selectors import invitation_get_by_token, results_sees_everything
from evaluations.services import invitation_refused_reason
from evaluations.views.invitations import REFUSED_STATUS, RespondView, _LearnerLinkMixin
from evaluations.views.results import SessionResultsMixin
from people.models import Role
from sessions.models import TrainingSession

# The session report: coordinators and managers get it with the attendees' names, the session's
# own delivery team without them; another trainer gets a 404, team leads and admins a 403. The
# certificates zip is for coordinators. A learner downloads their own certificate through their
# feedback link, used or still valid, while they are marked as having attended.


def _pdf_response(content: bytes, filename: str, *, attachment: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class SessionReportPdfView(SessionResultsMixin, View):
    """A session's report as a PDF: attendance, results with charts, reflections."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        with_names = results_sees_everything(request.user)
        content = render_session_report_pdf(self.session, with_names=with_names)
        filename = f"session-report-{slugify(self.session.code)}.pdf"
        if with_names:  # learners' names leave the app: an export like any other
            audit_record(
                action=ExportAction.EXPORT,
                request=request,
                obj=self.session,
                changes={"file": filename},
            )
        return _pdf_response(content, filename)


class SessionCertificatesZipView(RoleRequiredMixin, View):
    """Every attendee's certificate of attendance, one PDF each, in a zip."""

    roles = (Role.COORDINATOR,)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = get_object_or_404(
            TrainingSession.objects.select_related("course_version__course"), pk=pk
        )
        response = HttpResponse(certificates_zip(session), content_type="application/zip")
        filename = f"certificates-{slugify(session.code)}.zip"
        audit_record(
            action=ExportAction.EXPORT, request=request, obj=session, changes={"file": filename}
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


class CertificateView(_LearnerLinkMixin, View):
    """A learner's own certificate of attendance, through their feedback link."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = invitation_get_by_token(token=token)
        state = ""
        if invitation is None:
            state = "unknown"
        elif invitation_refused_reason(invitation) == "expired":
            state = "expired"
        if state or invitation is None:
            return TemplateResponse(
                request,
                RespondView.refused_template_name,
                {"state": state, "session": invitation and invitation.registration.session},
                status=REFUSED_STATUS[state],
            )
        return _pdf_response(
            render_certificate_pdf(invitation.registration), "certificate-of-attendance.pdf"
        )
