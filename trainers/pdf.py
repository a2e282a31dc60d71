"""The trainers' documents, rendered through core's one PDF helper."""

from django.core.cache import cache

from core.pdf import render_pdf
from trainers.models import RoleDescription

# A version's text never changes once published, so its PDF is made once and kept: the page is
# public, and rendering a PDF for every request would let anyone keep the server busy.
ROLE_DESCRIPTION_PDF_KEPT_FOR = 60 * 60 * 24


def render_role_description_pdf(role_description: RoleDescription) -> bytes:
    """One version of the trainer role description as a printable document."""
    # The status is in the key: a retired version's PDF says it has been replaced.
    key = f"trainers:role-description-pdf:{role_description.pk}:{role_description.status}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf(
            "trainers/pdf/role_description.html", {"role_description": role_description}
        )
        cache.set(key, pdf, ROLE_DESCRIPTION_PDF_KEPT_FOR)
    return pdf
