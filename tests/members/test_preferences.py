import pytest

pytestmark = pytest.mark.django_db


def test_the_browser_language_is_used_for_visitors(visitor_client):
    response = visitor_client.get("/", headers={"accept-language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr"' in response.text
    assert "Catégories" in response.text


def test_a_members_own_language_wins_over_the_browser(member_client, member):
    member.language = "fr"
    member.save()
    response = member_client.get("/", headers={"accept-language": "en"})
    assert '<html lang="fr"' in response.text


def test_choosing_a_language_is_remembered_in_the_profile(member_client, member):
    response = member_client.post("/me/language/", {"language": "fr", "next": "/c/x/"})
    assert response["Location"] == "/c/x/"
    member.refresh_from_db()
    assert member.language == "fr"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "hello"])
def test_choosing_a_language_redirects_only_to_a_path_here(visitor_client, target):
    response = visitor_client.post("/me/language/", {"language": "fr", "next": target})
    assert response["Location"] == "/"
    assert response.cookies["django_language"].value == "fr"


def test_a_member_updates_profile_and_preferences(member_client, member):
    response = member_client.post(
        "/me/settings/",
        {"display_name": "Alice M.", "bio": "Grows beans.", "language": "", "time_zone":
         "Europe/Paris", "theme": "dark"},
    )  # fmt: skip
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.display_name, member.time_zone, member.theme) == (
        "Alice M.",
        "Europe/Paris",
        "dark",
    )
    assert 'data-theme="dark"' in member_client.get("/").text


def test_an_unknown_time_zone_is_a_form_error(member_client, member):
    response = member_client.post(
        "/me/settings/", {"display_name": "", "bio": "", "language": "", "time_zone": "Mars/Base",
                          "theme": "auto"},
    )  # fmt: skip
    assert response.status_code == 200 and "Select a valid choice" in response.text


def test_settings_need_a_signed_in_member(visitor_client):
    assert visitor_client.get("/me/settings/")["Location"].startswith("/accounts/login/")
