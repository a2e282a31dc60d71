from django import template

from evaluations.selectors import course_review_started_from

register = template.Library()


@register.inclusion_tag("evaluations/review_started_from.html")
def started_from_review(version):
    """On a course version's page: the review it was started from, if any."""
    return {"review": course_review_started_from(version=version)}
