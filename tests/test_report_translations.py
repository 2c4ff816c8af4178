"""Report translations: title and summary per language, written as a JSON-encoded form field
on the multipart create and as JSON on update, read with `?lang=` or `Accept-Language`."""

import json

import pytest

from tests.helpers import assert_problem

TITLE_ZH = "2021年“一带一路”科技园区发展报告"


@pytest.fixture
def report(make_report):
    return make_report("2021 Report on B&R Science Parks", summary="Digital economy trends.",
                       translations={"zh": {"title": TITLE_ZH}})


def test_a_multipart_create_takes_translations_as_one_json_field(report):
    assert report["translations"] == {"zh": {"title": TITLE_ZH}}
    assert report["default_language"] == "en"
    assert report["available_languages"] == ["en", "zh"]
    assert (report["language"], report["title"]) == ("en", "2021 Report on B&R Science Parks")


def test_lang_reads_fall_back_field_by_field(client, report):
    response = client.get(f"/api/v1/reports/{report['slug']}?lang=zh")
    body = response.json
    assert (body["language"], body["title"], body["summary"]) == (
        "zh", TITLE_ZH, "Digital economy trends.")
    assert response.headers["Content-Language"] == "zh"
    assert "Accept-Language" in response.headers["Vary"]
    other = client.get(f"/api/v1/reports/{report['slug']}?lang=de")
    assert (other.json["language"], other.json["title"]) == (
        "en", "2021 Report on B&R Science Parks")
    assert other.headers["Content-Language"] == "en"


@pytest.mark.parametrize("header, title", [("zh-CN,zh;q=0.9", TITLE_ZH),
                                           ("fr, en;q=0.5", "2021 Report on B&R Science Parks")])
def test_accept_language_on_lists_and_single_views(client, report, header, title):
    listed = client.get("/api/v1/reports", headers={"Accept-Language": header})
    assert listed.json["items"][0]["title"] == title
    single = client.get(f"/api/v1/reports/{report['slug']}",
                        headers={"Accept-Language": header})
    assert single.json["title"] == title
    assert "Accept-Language" in single.headers["Vary"]


def test_cached_answers_are_kept_per_language(client, report):
    path = f"/api/v1/reports/{report['slug']}"
    assert client.get(path).json["title"] != TITLE_ZH
    assert client.get(path, headers={"Accept-Language": "zh"}).json["title"] == TITLE_ZH
    assert client.get(path).json["title"] != TITLE_ZH


def test_news_show_linked_reports_in_the_chosen_language(client, report, make_news):
    news = make_news("Forum", report_ids=[report["id"]],
                     translations={"zh": {"title": "论坛"}})
    body = client.get(f"/api/v1/news/{news['slug']}?lang=zh").json
    assert (body["title"], body["reports"][0]["title"]) == ("论坛", TITLE_ZH)
    shown = client.get(f"/api/v1/reports/{report['slug']}?lang=zh").json["news"]
    assert shown[0]["title"] == "论坛"


def test_patch_merges_translations_and_null_removes(client, editor, report):
    path = f"/api/v1/reports/{report['slug']}"
    response = client.patch(path, json={"translations": {
        "zh": {"summary": "数字经济趋势。"}, "pt": {"title": "Relatório 2021"}}}, headers=editor)
    assert response.status_code == 200, response.json
    assert response.json["translations"] == {
        "zh": {"title": TITLE_ZH, "summary": "数字经济趋势。"},
        "pt": {"title": "Relatório 2021"}}
    response = client.patch(path, json={"translations": {"zh": {"title": None}, "pt": None}},
                            headers=editor)
    assert response.json["translations"] == {"zh": {"summary": "数字经济趋势。"}}
    body = client.get(f"{path}?lang=zh").json
    assert (body["title"], body["summary"]) == ("2021 Report on B&R Science Parks",
                                                "数字经济趋势。")


@pytest.mark.parametrize("translations", ["{not json", json.dumps({"zh": {"slug": "x"}}),
                                          json.dumps({"not a tag": {"title": "x"}}),
                                          json.dumps({"zh": {"title": ""}}), json.dumps([1]),
                                          # What the strict JSON decoder refuses in a body:
                                          "[" * 100_000, '{"zh": ' * 40 + "1" + "}" * 40,
                                          '{"zh": {"title": "\\ud800"}}',
                                          '{"zh": {"title": 1' + "0" * 5000 + "}}"])
def test_invalid_form_translations_are_422_and_create_nothing(client, editor, translations):
    response = client.post("/api/v1/reports", data={"title": "T", "year": "2021",
                                                    "translations": translations},
                           content_type="multipart/form-data", headers=editor)
    body = assert_problem(response, 422, "validation_error")
    assert "translations" in body["errors"]["form"]
    assert client.get("/api/v1/reports", headers=editor).json["pagination"]["total"] == 0


def test_invalid_json_translations_are_422_and_change_nothing(client, editor, report):
    path = f"/api/v1/reports/{report['slug']}"
    for translations in ({"zh": {"year": "2021"}}, {"zh": "标题"}):
        response = client.patch(path, json={"title": "Changed", "translations": translations},
                                headers=editor)
        assert "translations" in assert_problem(response, 422)["errors"]["json"]
    again = client.get(path, headers=editor).json
    assert (again["title"], again["translations"]) == (report["title"], report["translations"])
