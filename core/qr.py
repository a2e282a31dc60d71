import qrcode
import qrcode.image.svg
from django.utils.html import escape


def qr_svg(text: str, *, title: str) -> str:
    """An inline SVG QR code (no image file, no script), labelled for screen readers."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)
