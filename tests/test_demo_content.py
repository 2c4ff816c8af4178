"""The demo data set's content: the 2021 forum article and every speaker it names."""

NAMED = ["Wu Wensheng", "Wang Mingyang", "Amer Ahmed Hashimi", "Balogh András Zoltán",
         "Yang yi", "Chen Dong", "Bi Kong", "Zhang Qingdi", "Xiang Yanping", "Li Jieru",
         "Song Qi", "Kanchana Wanichkorn", "Eduardo Baptista Correia", "Vijay Kant Mishra",
         "Wang Delu", "Zhang Jizhe"]
SLUG = "the-2021-community-of-international-science-industry-parks-forum-successfully-held"
REPORT_SLUG = "2021-report-on-the-development-of-b-r-science-parks"


def test_seed_demo_adds_the_forum_article_once(runner, client):
    first = runner.invoke(args=["seed", "demo"])
    second = runner.invoke(args=["seed", "demo"])
    assert "16 speakers added, 1 news added" in first.output, first.output
    assert "0 speakers added, 0 news added" in second.output
    listed = client.get("/api/v1/news").json
    assert listed["pagination"]["total"] == 1
    news = client.get(f"/api/v1/news/{SLUG}").json
    assert news["published_at"] == "2021-12-09T00:00:00Z"
    assert news["body"].startswith("<p>On December 7th, ")
    assert "contribute to the creation and construction of innovation ecology" in news["body"]
    assert news["body"].count("<p>") == 19  # 11 paragraphs, 8 photo captions
    assert {park["slug"] for park in news["parks"]} == {
        "peking-university-science-park", "taguspark",
        "pakistan-special-technology-zones-authority",
        "the-india-china-technology-transfer-centre"}
    assert [part["speaker"]["name"] for part in news["speakers"]] == NAMED


def test_seeded_speakers_keep_the_article_titles_and_roles(runner, client):
    runner.invoke(args=["seed", "demo"])
    news = client.get(f"/api/v1/news/{SLUG}").json
    parts = {part["speaker"]["name"]: part for part in news["speakers"]}
    assert parts["Zhang Jizhe"]["role"] == "host"
    assert parts["Amer Ahmed Hashimi"]["role"] == "keynote"
    assert parts["Amer Ahmed Hashimi"]["talk_title"] == (
        "Pakistan's Knowledge Economy Strategy and the establishment of Special Technology "
        "Zones")
    assert parts["Wang Mingyang"]["role"] == "presenter"
    assert parts["Song Qi"]["role"] == "panelist"
    zhang = parts["Zhang Qingdi"]["speaker"]
    assert (zhang["job_title"], zhang["organization"]) == (
        "R&D director, Responsible person of civil and overseas business", "MOQI Techonology")
    correia = client.get("/api/v1/speakers/eduardo-baptista-correia").json
    assert (correia["honorific"], correia["job_title"], correia["organization"]) == (
        "Dr.", "CEO", "Portugal TagusPark")
    assert correia["park"]["slug"] == "taguspark"
    assert correia["appearances"][0]["slug"] == SLUG
    found = client.get("/api/v1/search?q=Hashimi").json["items"]
    assert {hit["type"] for hit in found} == {"speaker", "news", "park"}


def test_the_forum_news_and_the_2021_report_are_linked_once(runner, client, auth_headers):
    runner.invoke(args=["seed", "demo"])
    runner.invoke(args=["seed", "demo"])
    news = client.get(f"/api/v1/news/{SLUG}").json
    assert [(r["slug"], r["year"], r["access"]) for r in news["reports"]] == [
        (REPORT_SLUG, 2021, "members")]
    report = client.get(f"/api/v1/reports/{REPORT_SLUG}").json
    assert [item["slug"] for item in report["news"]] == [SLUG]
    zh = client.get(f"/api/v1/reports/{REPORT_SLUG}?lang=zh").json
    assert (zh["language"], zh["title"]) == ("zh", "2021年“一带一路”科技园区发展报告")
    assert zh["summary"] == report["summary"]  # no translation: the English one
    found = client.get("/api/v1/search?q=Belt%20Road&type=report").json["items"]
    assert [hit["slug"] for hit in found] == [REPORT_SLUG]

