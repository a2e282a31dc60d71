"""Server-drawn SVG bar charts (core.charts): labelled, described, escaped, no styles."""

import re
from xml.etree import ElementTree

import pytest

from core.charts import BAR_COLOUR, TEXT_COLOUR, bar_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 - our own markup, made in the test


def contrast(foreground: str, background: str = "#ffffff") -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_it_draws_one_bar_per_value_with_lengths_in_proportion():
    root = parse(bar_chart_svg(title="Ratings", labels=["1", "2", "3"], values=[1, 2, 4]))

    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]

    assert len(widths) == 3
    assert widths[1] == pytest.approx(2 * widths[0])
    assert widths[2] == pytest.approx(4 * widths[0])


def test_a_max_value_sets_the_full_length():
    full = parse(bar_chart_svg(title="T", labels=["a"], values=[5], max_value=5))
    half = parse(bar_chart_svg(title="T", labels=["a"], values=[5], max_value=10))

    full_width = float(next(full.iter(f"{SVG}rect")).get("width"))
    half_width = float(next(half.iter(f"{SVG}rect")).get("width"))

    assert half_width == pytest.approx(full_width / 2)


def test_it_is_an_image_labelled_by_its_title_and_a_description_of_every_value():
    root = parse(bar_chart_svg(title="Would recommend", labels=["Yes", "No"], values=[7, 2]))

    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")

    assert root.get("role") == "img"
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    assert title.text == "Would recommend"
    assert desc.text == "Bar chart. Yes: 7; No: 2."


def test_each_bar_is_labelled_and_its_value_written_beside_it():
    root = parse(bar_chart_svg(title="T", labels=["Yes", "No"], values=[7, 2.25]))

    texts = [text.text for text in root.iter(f"{SVG}text")]

    assert texts == ["Yes", "7", "No", "2.2"]


def test_every_label_and_the_title_are_escaped():
    svg = bar_chart_svg(
        title="<script>alert(1)</script>", labels=['"><img src=x onerror=alert(1)>'], values=[1]
    )

    root = parse(svg)  # would fail on broken markup

    assert "<script>" not in svg
    assert "<img" not in svg
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script>"


def test_it_uses_no_style_attributes_no_scripts_and_no_external_fonts():
    svg = bar_chart_svg(title="T", labels=["a", "b"], values=[1, 0])

    assert "style" not in svg
    assert "<script" not in svg
    assert "@font-face" not in svg
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", svg)


def test_text_has_a_contrast_of_at_least_4_5_to_1_and_bars_at_least_3_to_1():
    assert contrast(TEXT_COLOUR) >= 4.5
    assert contrast(BAR_COLOUR) >= 3


def test_all_zero_values_draw_empty_bars_without_dividing_by_zero():
    root = parse(bar_chart_svg(title="T", labels=["a", "b"], values=[0, 0]))

    assert [float(r.get("width")) for r in root.iter(f"{SVG}rect")] == [0, 0]


def test_long_labels_are_shortened_in_the_picture_but_whole_in_the_description():
    label = "A very long choice that would run off the left edge"
    root = parse(bar_chart_svg(title="T", labels=[label], values=[3]))

    assert next(root.iter(f"{SVG}text")).text.endswith("…")
    assert label in root.find(f"{SVG}desc").text


def test_charts_of_different_data_get_different_ids():
    one = parse(bar_chart_svg(title="T", labels=["a"], values=[1]))
    two = parse(bar_chart_svg(title="T", labels=["a"], values=[2]))

    assert one.get("aria-labelledby") != two.get("aria-labelledby")


def test_it_refuses_labels_and_values_of_different_lengths():
    with pytest.raises(ValueError, match="one label per value"):
        bar_chart_svg(title="T", labels=["a", "b"], values=[1])
