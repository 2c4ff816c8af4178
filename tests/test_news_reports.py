"""News <-> reports: written by id on news (`report_ids`), read back on both sides as
summaries, each side showing only what the caller may see."""

import uuid

import pytest

from tests.content import days_from_now
from tests.helpers import assert_problem

REPORT_2021 = "2021 Report on the Development of B&R Science Parks"


@pytest.fixture
def report(make_report):
    return make_report(REPORT_2021, summary="Digital economy of B&R parks.")


@pytest.fixture
def public_report(make_report):
    return make_report("Green Parks 2022", year=2022, access="public")


def summary_of(report):
    return {key: report[key] for key in ("id", "slug", "title", "year", "access")}


def test_news_written_with_report_ids_read_them_back_as_summaries(client, editor, make_news,
                                                                   report, public_report):
    news = make_news("Forum", report_ids=[report["id"], public_report["id"]])
    # Newest report year first, whatever order they were given in.
    assert news["reports"] == [summary_of(public_report), summary_of(report)]
    assert summary_of(report) == {"id": report["id"], "slug": report["slug"],
                                  "title": REPORT_2021, "year": 2021, "access": "members"}
    assert client.get(f"/api/v1/news/{news['slug']}").json["reports"] == news["reports"]
    listed = client.get("/api/v1/news").json["items"][0]
    assert listed["reports"] == news["reports"]


def test_reports_show_their_news_newest_first(client, make_news, report):
    older = make_news("Older", report_ids=[report["id"]], published_at=days_from_now(-9))
    newer = make_news("Newer", report_ids=[report["id"]])
    make_news("Unrelated")
    shown = client.get(f"/api/v1/reports/{report['slug']}").json["news"]
    assert [item["slug"] for item in shown] == [newer["slug"], older["slug"]]
    assert set(shown[0]) == {"id", "slug", "title", "summary", "published_at", "status"}
    assert shown[0]["title"] == "Newer" and shown[0]["status"] == "published"
    listed = client.get("/api/v1/reports").json["items"][0]
    assert [item["slug"] for item in listed["news"]] == [newer["slug"], older["slug"]]


def test_patch_replaces_the_links_and_an_empty_list_clears_them(client, editor, make_news,
                                                                 report, public_report):
    news = make_news("Forum", report_ids=[report["id"]])
    response = client.patch(f"/api/v1/news/{news['slug']}",
                            json={"report_ids": [public_report["id"]]}, headers=editor)
    assert response.status_code == 200, response.json
    assert response.json["reports"] == [summary_of(public_report)]
    assert client.get(f"/api/v1/reports/{report['slug']}").json["news"] == []
    assert len(client.get(f"/api/v1/reports/{public_report['slug']}").json["news"]) == 1
    cleared = client.patch(f"/api/v1/news/{news['slug']}", json={"report_ids": []},
                           headers=editor)
    assert cleared.json["reports"] == []
    assert client.get(f"/api/v1/reports/{public_report['slug']}").json["news"] == []


def test_unknown_report_ids_are_422_and_change_nothing(client, editor, make_news, report):
    unknown = str(uuid.uuid4())
    response = client.post("/api/v1/news", json={"title": "T", "body": "x",
                                                 "report_ids": [report["id"], unknown]},
                           headers=editor)
    errors = assert_problem(response, 422, "validation_error")["errors"]
    assert errors == {"json": {"report_ids": [f"No report has the id {unknown}."]}}
    assert client.get("/api/v1/news", headers=editor).json["pagination"]["total"] == 0
    news = make_news("Forum", report_ids=[report["id"]])
    response = client.patch(f"/api/v1/news/{news['slug']}",
                            json={"title": "Changed", "report_ids": [unknown]}, headers=editor)
    assert "report_ids" in assert_problem(response, 422, "validation_error")["errors"]["json"]
    again = client.get(f"/api/v1/news/{news['slug']}").json
    assert (again["title"], again["reports"]) == ("Forum", news["reports"])
    for bad in (["not-a-uuid"], "x", [None]):
        response = client.patch(f"/api/v1/news/{news['slug']}", json={"report_ids": bad},
                                headers=editor)
        assert "report_ids" in assert_problem(response, 422)["errors"]["json"]


def test_reports_show_only_the_news_the_caller_may_read(client, editor, auth_headers,
                                                        make_news, report):
    make_news("Published", report_ids=[report["id"]])
    make_news("Draft", report_ids=[report["id"]], status="draft", published_at=None)
    make_news("Scheduled", report_ids=[report["id"]], published_at=days_from_now(3))
    path = f"/api/v1/reports/{report['slug']}"

    def titles(headers=None):
        return sorted(item["title"] for item in client.get(path, headers=headers).json["news"])

    assert titles() == ["Published"]
    assert titles(auth_headers("member")) == ["Published"]
    assert titles(editor) == ["Draft", "Published", "Scheduled"]
    listed = client.get("/api/v1/reports").json["items"][0]["news"]
    assert [item["title"] for item in listed] == ["Published"]


def test_news_show_only_the_reports_the_caller_may_see(client, editor, make_news,
                                                       make_report, report):
    draft = make_report("Draft report", published_at=None)
    scheduled = make_report("Scheduled report", published_at=days_from_now(3))
    news = make_news("Forum", report_ids=[report["id"], draft["id"], scheduled["id"]])
    assert len(news["reports"]) == 3  # the editor who wrote it sees them all
    public = client.get(f"/api/v1/news/{news['slug']}").json["reports"]
    assert [item["title"] for item in public] == [REPORT_2021]
    assert [item["title"] for item in client.get("/api/v1/news").json["items"][0]["reports"]] \
        == [REPORT_2021]


def test_the_report_filter_on_news(client, editor, make_news, make_report, report,
                                   public_report):
    make_news("About 2021", report_ids=[report["id"]])
    make_news("About both", report_ids=[report["id"], public_report["id"]])
    make_news("About none")
    draft = make_report("Draft report", published_at=None)
    make_news("About the draft", report_ids=[draft["id"]])

    def titles(ref, headers=None):
        response = client.get(f"/api/v1/news?report={ref}&sort=title", headers=headers)
        assert response.status_code == 200, response.json
        return [item["title"] for item in response.json["items"]]

    assert titles(report["slug"]) == ["About 2021", "About both"]
    assert titles(public_report["id"]) == ["About both"]
    assert titles("no-such-report") == []
    assert titles(draft["slug"]) == []
    assert titles(draft["slug"], editor) == ["About the draft"]


def test_deleting_a_report_or_a_news_item_removes_the_link(client, editor, make_news, report,
                                                           public_report):
    news = make_news("Forum", report_ids=[report["id"], public_report["id"]])
    other = make_news("Other", report_ids=[public_report["id"]])
    assert client.delete(f"/api/v1/reports/{report['slug']}", headers=editor).status_code == 204
    assert client.get(f"/api/v1/news/{news['slug']}").json["reports"] == [
        summary_of(public_report)]
    assert client.delete(f"/api/v1/news/{news['slug']}", headers=editor).status_code == 204
    shown = client.get(f"/api/v1/reports/{public_report['slug']}").json["news"]
    assert [item["id"] for item in shown] == [other["id"]]


def test_cached_report_views_follow_news_writes(client, editor, make_news, report):
    """An anonymous report view is cached; linking, publishing and renaming news updates it."""
    path = f"/api/v1/reports/{report['slug']}"
    assert client.get(path).json["news"] == []
    assert client.get(path).headers["X-Cache"] == "HIT"
    news = make_news("Draft", status="draft", published_at=None)
    client.patch(f"/api/v1/news/{news['slug']}", json={"report_ids": [report["id"]]},
                 headers=editor)
    assert client.get(path).json["news"] == []
    assert client.get("/api/v1/reports").json["items"][0]["news"] == []
    client.patch(f"/api/v1/news/{news['slug']}", json={"status": "published"}, headers=editor)
    assert [item["title"] for item in client.get(path).json["news"]] == ["Draft"]
    assert [item["title"] for item in client.get("/api/v1/reports").json["items"][0]["news"]] \
        == ["Draft"]
    client.patch(f"/api/v1/news/{news['slug']}", json={"title": "Published"}, headers=editor)
    assert [item["title"] for item in client.get(path).json["news"]] == ["Published"]
