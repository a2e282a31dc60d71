import pytest

pytestmark = pytest.mark.browser


def test_the_axe_check_fails_on_a_page_with_a_critical_violation(page, axe_check):
    page.set_content('<html lang="en"><body><main><img src="x.png"></main></body></html>')

    with pytest.raises(AssertionError, match="image-alt"):
        axe_check(page)


def test_the_browser_is_debians_chromium_not_a_downloaded_one(browser, browser_type_launch_args):
    assert browser_type_launch_args["executable_path"].endswith("chromium")
    assert "--disable-background-networking" in browser_type_launch_args["args"]
    assert browser.version
