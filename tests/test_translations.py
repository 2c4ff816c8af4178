"""Translations: written per language, read with ?lang= or Accept-Language, with fallback."""

import pytest

from tests.helpers import assert_problem

ZH = {"name": "塔古斯科技园", "description": "葡萄牙的科技园。"}


@pytest.fixture
def park(make_park):
    return make_park("Taguspark", "PT", city="Oeiras", description="Portuguese park.",
                     translations={"zh": ZH, "pt": {"city": "Oeiras (Lisboa)"}})


def test_written_translations_are_answered_for_editing(park):
    assert park["translations"] == {"zh": ZH, "pt": {"city": "Oeiras (Lisboa)"}}
    assert (park["default_language"], park["available_languages"]) == ("en", ["en", "pt", "zh"])


def test_default_language_without_a_preference(client, park):
    response = client.get("/api/v1/parks/taguspark")
    assert (response.json["name"], response.json["language"]) == ("Taguspark", "en")
    assert response.headers["Content-Language"] == "en"
    assert "Accept-Language" in response.headers["Vary"]


def test_lang_parameter_falls_back_field_by_field(client, park):
    response = client.get("/api/v1/parks/taguspark?lang=zh")
    body = response.json
    assert (body["name"], body["description"], body["city"]) == (
        "塔古斯科技园", "葡萄牙的科技园。", "Oeiras")
    assert body["language"] == "zh"
    assert response.headers["Content-Language"] == "zh"


@pytest.mark.parametrize("header, language, name", [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh", "塔古斯科技园"),
    ("fr-FR, fr;q=0.9", "en", "Taguspark"),
    ("en;q=0.5, zh;q=0.9", "zh", "塔古斯科技园"),
])
def test_accept_language(client, park, header, language, name):
    response = client.get("/api/v1/parks/taguspark", headers={"Accept-Language": header})
    assert (response.json["language"], response.json["name"]) == (language, name)
    assert response.headers["Content-Language"] == language
    assert "Accept-Language" in response.headers["Vary"]


def test_lang_parameter_wins_over_accept_language(client, park):
    response = client.get("/api/v1/parks/taguspark?lang=en", headers={"Accept-Language": "zh"})
    assert response.json["name"] == "Taguspark"


def test_a_language_the_item_lacks_falls_back_to_its_default(client, park):
    response = client.get("/api/v1/parks/taguspark?lang=de")
    assert (response.json["language"], response.json["name"]) == ("en", "Taguspark")
    assert response.headers["Content-Language"] == "en"


def test_lists_and_summaries_are_translated(client, park, make_news):
    make_news("Forum", park_ids=[park["id"]], translations={"zh": {"title": "论坛"}})
    response = client.get("/api/v1/news?lang=zh")
    item = response.json["items"][0]
    assert (item["title"], item["language"]) == ("论坛", "zh")
    assert item["summary"] == "Body."
    assert item["parks"][0]["name"] == "塔古斯科技园"
    assert response.headers["Content-Language"] == "zh"
    listed = client.get("/api/v1/parks", headers={"Accept-Language": "zh"})
    assert listed.json["items"][0]["name"] == "塔古斯科技园"


def test_an_empty_list_still_varies_by_language(client):
    response = client.get("/api/v1/speakers?lang=zh")
    assert response.json["items"] == []
    assert response.headers["Content-Language"] == "zh"
    assert "Accept-Language" in response.headers["Vary"]


def test_patch_merges_by_language_and_field_and_null_removes(client, editor, park):
    response = client.patch("/api/v1/parks/taguspark", json={"translations": {
        "zh": {"city": "奥埃拉斯", "description": None}, "pt": None}}, headers=editor)
    assert response.status_code == 200, response.json
    assert response.json["translations"] == {"zh": {"name": "塔古斯科技园", "city": "奥埃拉斯"}}
    zh = client.get("/api/v1/parks/taguspark?lang=zh").json
    assert (zh["city"], zh["description"]) == ("奥埃拉斯", "Portuguese park.")


def test_speakers_translate_name_job_title_organization_and_bio(make_speaker, client):
    make_speaker("Song Qi", job_title="President", organization="PKU Science Park",
                 translations={"zh": {"name": "宋奇", "job_title": "总裁"}})
    body = client.get("/api/v1/speakers/song-qi", headers={"Accept-Language": "zh"}).json
    assert (body["name"], body["job_title"], body["organization"]) == (
        "宋奇", "总裁", "PKU Science Park")


@pytest.mark.parametrize("translations, where", [
    ({"zh": {"website": "https://x.cn"}}, "zh"),
    ({"not a tag": {"name": "x"}}, "not a tag"),
    ({"zh": {"name": ""}}, "zh"),
    ({"zh": "塔古斯"}, "zh"),
])
def test_invalid_translations_are_422_and_change_nothing(client, editor, park, translations,
                                                         where):
    response = client.patch("/api/v1/parks/taguspark", json={"translations": translations},
                            headers=editor)
    body = assert_problem(response, 422, "validation_error")
    assert where in body["errors"]["json"]["translations"]
    assert client.get("/api/v1/parks/taguspark").json["translations"] == park["translations"]


def test_malformed_lang_is_422(client, park):
    assert_problem(client.get("/api/v1/parks/taguspark?lang=zh_CN!"), 422, "validation_error")


def test_single_views_take_lang_and_ignore_other_query_parameters(client, park):
    response = client.get("/api/v1/parks/taguspark?lang=zh&sort=bogus&page=0")
    assert response.status_code == 200
    assert response.json["name"] == "塔古斯科技园"
