"""The news widget in a real browser: a partner page on one local origin embeds the widget
served by the API on another, in headless Chromium (Debian's package, driven by Playwright).
"""

import socket

import pytest
from werkzeug.serving import make_server

from tests.browser import launch_chromium, needs_chromium, static_site
from tests.content import days_from_now
from tests.helpers import serving_in_thread

FRONTEND = "https://cisip.example"  # FRONTEND_URL of the test config
EVIL_TITLE = 'Open day <img src=x onerror="window.pwned = true">'
UNAVAILABLE = "News is not available right now."

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def app(make_app, request):
    # Cookies are trusted from the frontend only; the partner page is another origin.
    return make_app(CORS_ORIGINS=FRONTEND, **getattr(request, "param", {}))


@pytest.fixture
def api_origin(app):
    # One thread: on PostgreSQL the test app's sessions share one connection.
    with serving_in_thread(make_server("127.0.0.1", 0, app, threaded=False)) as origin:
        yield origin


@pytest.fixture
def partner(tmp_path):
    """A partner site on its own origin: `partner(name, html)` answers the page's URL."""
    with static_site(tmp_path / "partner") as site:
        yield site.page


@pytest.fixture
def browser():
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def taguspark_news(make_park, make_news):
    """Six public news items of Taguspark, the newest with markup in its title, one of
    another park, and a draft."""
    taguspark = make_park("Taguspark", "PT")
    other = make_park("Peking University Science Park", "CN")
    titles = [f"Taguspark news {number}" for number in range(1, 6)] + [EVIL_TITLE]
    items = [make_news(title, summary=f"About {title}.", park_ids=[taguspark["id"]],
                       published_at=days_from_now(-10 + number))
             for number, title in enumerate(titles)]
    make_news("Beijing news", park_ids=[other["id"]], published_at=days_from_now(0))
    make_news("Taguspark draft", status="draft", park_ids=[taguspark["id"]])
    return items


def widget(api_origin, extra=""):
    return (f'<div data-cisip-news data-park="taguspark" data-limit="5" data-lang="en" {extra}>'
            f'</div><script src="{api_origin}/embed/v1/news.js" async></script>')


def closed_port_origin():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_the_widget_shows_the_parks_newest_news_cross_origin(browser, api_origin, partner,
                                                             taguspark_news):
    page = browser.new_page()
    page.goto(partner("news.html", widget(api_origin)))
    page.wait_for_selector("[data-cisip-news] li")

    links = page.eval_on_selector_all(
        "[data-cisip-news] li a", "links => links.map(a => [a.textContent, a.href])")
    newest = list(reversed(taguspark_news))[:5]
    assert links == [[item["title"], f"{FRONTEND}/news/{item['slug']}"] for item in newest]
    summaries = page.eval_on_selector_all("[data-cisip-news] li p",
                                          "ps => ps.map(p => p.textContent)")
    assert summaries == [f"About {item['title']}." for item in newest]
    dates = page.eval_on_selector_all("[data-cisip-news] li time",
                                      "times => times.map(t => t.getAttribute('datetime'))")
    assert dates == [item["published_at"] for item in newest]
    region = page.locator("[data-cisip-news]")
    assert region.get_attribute("role") == "region"
    assert region.get_attribute("aria-busy") is None

    # The title with markup is text: no element was made from it and nothing ran.
    assert links[0][0] == EVIL_TITLE
    assert page.locator("[data-cisip-news] img").count() == 0
    assert page.evaluate("window.pwned") is None
    page.close()


def test_a_quiet_message_when_the_api_cannot_be_reached(browser, api_origin, partner):
    page = browser.new_page()
    page.goto(partner("down.html", widget(api_origin,
                                          f'data-api="{closed_port_origin()}"')))
    notice = page.wait_for_selector("[data-cisip-news] [role=status]")
    assert notice.text_content() == UNAVAILABLE
    assert page.locator("[data-cisip-news] li").count() == 0
    page.close()


FETCH = """async ([url, credentials]) => {
    try {
        const response = await fetch(url, {credentials});
        return {status: response.status, body: await response.json()};
    } catch (error) {
        return {error: error.name};
    }
}"""


def test_the_browser_refuses_credentialed_reads_from_other_origins(browser, api_origin,
                                                                   partner, taguspark_news):
    page = browser.new_page()
    page.goto(partner("plain.html", "<p>No widget.</p>"))

    me = f"{api_origin}/api/v1/auth/me"
    assert page.evaluate(FETCH, [me, "include"]) == {"error": "TypeError"}
    # Without credentials the same answer is readable (a 401): the refusal is the cookies'.
    anonymous = page.evaluate(FETCH, [me, "omit"])
    assert anonymous["status"] == 401
    assert anonymous["body"]["code"] == "token_missing"

    parks = page.evaluate(FETCH, [f"{api_origin}/api/v1/parks", "omit"])
    assert parks["status"] == 200
    assert sorted(park["slug"] for park in parks["body"]["items"]) == [
        "peking-university-science-park", "taguspark"]
    page.close()


def origin_of(url):
    return url.rsplit("/", 1)[0]


def test_the_widget_reads_with_a_partner_key_from_its_origin(browser, api_origin, partner,
                                                            taguspark_news, issue_key,
                                                            client, auth_headers):
    url = partner("keyed.html", "")
    key = issue_key(allowed_origins=[origin_of(url)])
    url = partner("keyed.html", widget(api_origin, f'data-key="{key["key"]}"'))
    page = browser.new_page()
    page.goto(url)
    page.wait_for_selector("[data-cisip-news] li")
    assert page.locator("[data-cisip-news] li").count() == 5
    page.close()
    usage = client.get(f"/api/v1/api-keys/{key['id']}/usage?days=1",
                       headers=auth_headers("admin")).json
    assert usage["groups"] == {"feeds": 1}


def test_a_key_issued_for_another_origin_shows_the_notice(browser, api_origin, partner,
                                                          taguspark_news, issue_key):
    key = issue_key(allowed_origins=["https://www.partner.example"])
    page = browser.new_page()
    page.goto(partner("elsewhere.html", widget(api_origin, f'data-key="{key["key"]}"')))
    notice = page.wait_for_selector("[data-cisip-news] [role=status]")
    assert notice.text_content() == UNAVAILABLE
    page.close()


KEYED_FETCH = """async ([url, key]) => {
    const response = await fetch(url, {headers: {"X-API-Key": key}});
    return {status: response.status, code: (await response.json()).code,
            rateLimit: response.headers.get("RateLimit")};
}"""


@pytest.mark.parametrize("app", [{"RATELIMIT_ENABLED": "true"}], indirect=True)
def test_keys_in_a_page_script(browser, api_origin, partner, issue_key):
    url = partner("script.html", "<p>No widget.</p>")
    publishable = issue_key(allowed_origins=[origin_of(url)], rate_limit="10/minute")
    secret = issue_key("secret")
    page = browser.new_page()
    page.goto(url)
    parks = f"{api_origin}/api/v1/parks"
    # The header needs a preflight; the answer's RateLimit is readable by the script.
    answer = page.evaluate(KEYED_FETCH, [parks, publishable["key"]])
    assert answer["status"] == 200 and answer["rateLimit"].startswith('"rate";r=9;')
    # A secret key pasted into a page fails at once: the browser always sends Origin.
    assert page.evaluate(KEYED_FETCH, [parks, secret["key"]]) == {
        "status": 403, "code": "secret_key_exposed", "rateLimit": None}
    page.close()
