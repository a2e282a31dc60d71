from django.core import checks

from core.checks import check_front_end_assets, check_media_is_not_public


def test_it_says_nothing_when_every_static_folder_exists(settings, tmp_path):
    (tmp_path / "bootstrap").mkdir()
    settings.STATICFILES_DIRS = [tmp_path, ("vendor/bootstrap", tmp_path / "bootstrap")]

    assert check_front_end_assets(None) == []


def test_it_warns_when_a_static_folder_is_missing(settings, tmp_path):
    missing = tmp_path / "static"
    settings.STATICFILES_DIRS = [missing]

    (warning,) = check_front_end_assets(None)

    assert warning.id == "core.W001"
    assert warning.level == checks.WARNING
    assert str(missing) in warning.msg
    assert "make assets" in warning.hint


def test_it_warns_when_a_prefixed_static_folder_is_missing(settings, tmp_path):
    missing = tmp_path / "node_modules" / "htmx.org" / "dist"
    settings.STATICFILES_DIRS = [tmp_path, ("vendor/htmx", missing)]

    (warning,) = check_front_end_assets(None)

    assert str(missing) in warning.msg


def test_it_names_only_the_missing_folders(settings, tmp_path):
    present = tmp_path / "present"
    present.mkdir()
    missing = tmp_path / "missing"
    settings.STATICFILES_DIRS = [present, ("vendor/x", missing)]

    (warning,) = check_front_end_assets(None)

    assert warning.msg == f"Front-end assets are missing: {missing}"


def test_a_file_in_place_of_a_static_folder_counts_as_missing(settings, tmp_path):
    not_a_folder = tmp_path / "bootstrap.css"
    not_a_folder.write_text("")
    settings.STATICFILES_DIRS = [not_a_folder]

    assert [warning.id for warning in check_front_end_assets(None)] == ["core.W001"]


def test_the_check_runs_with_the_system_checks(settings, tmp_path):
    settings.STATICFILES_DIRS = [tmp_path / "missing"]

    assert "core.W001" in [message.id for message in checks.run_checks()]


def test_the_system_checks_pass_when_the_assets_are_installed(settings, tmp_path):
    settings.STATICFILES_DIRS = [tmp_path]

    assert "core.W001" not in [message.id for message in checks.run_checks()]


def test_media_inside_the_static_root_is_reported(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.MEDIA_ROOT = tmp_path / "staticfiles" / "media"

    warnings = check_media_is_not_public(None)

    assert [w.id for w in warnings] == ["core.W002"]


def test_media_inside_a_static_source_folder_is_reported(settings, tmp_path):
    settings.STATICFILES_DIRS = [tmp_path / "static"]
    settings.MEDIA_ROOT = tmp_path / "static" / "uploads"

    assert [w.id for w in check_media_is_not_public(None)] == ["core.W002"]


def test_media_of_its_own_passes(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    assert check_media_is_not_public(None) == []
