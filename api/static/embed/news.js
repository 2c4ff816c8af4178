/*! CISIP news widget v1 — https://<api host>/embed/v1/news.js
 *
 * Paste where the news should appear:
 *   <div data-cisip-news data-park="taguspark" data-limit="5" data-lang="en"></div>
 *   <script src="https://<api host>/embed/v1/news.js" async></script>
 * Attributes (all optional): data-park (park slug or id), data-tag, data-country,
 * data-limit (1-20, default 5), data-lang (en, zh, ...), data-api (API origin; defaults to
 * this script's origin), data-key (your publishable partner key, cisip_pk_...; it works
 * only from the origins it was issued for). The list uses the host page's fonts and colours.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var defaultApi = script ? new URL(script.src, document.baseURI).origin : "";
  var MESSAGES = {
    en: { label: "CISIP news", empty: "No news yet.", unavailable: "News is not available right now." },
    zh: { label: "CISIP 新闻", empty: "暂无新闻。", unavailable: "暂时无法加载新闻。" }
  };

  function messages(lang) {
    return MESSAGES[(lang || "en").slice(0, 2)] || MESSAGES.en;
  }

  function el(tag, text, style) {
    var node = document.createElement(tag);
    if (text) node.textContent = text; // never innerHTML: feed text stays text
    if (style) node.setAttribute("style", style);
    return node;
  }

  function safeUrl(url) {
    try {
      var parsed = new URL(url);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function feedUrl(container) {
    var api = container.getAttribute("data-api") || defaultApi;
    var limit = parseInt(container.getAttribute("data-limit") || "5", 10);
    var params = new URLSearchParams({ limit: String(Math.min(Math.max(limit || 5, 1), 20)) });
    ["park", "tag", "country", "lang", "key"].forEach(function (name) {
      var value = container.getAttribute("data-" + name);
      if (value) params.set(name, value);
    });
    return api + "/api/v1/feeds/news.json?" + params.toString();
  }

  function renderItems(container, feed, text, lang) {
    var list = el("ul", null, "list-style:none;margin:0;padding:0");
    (feed.items || []).forEach(function (item) {
      var entry = el("li", null, "margin:0 0 1em 0");
      var href = safeUrl(item.url);
      var title = el(href ? "a" : "span", item.title, "font-weight:bold");
      if (href) title.href = href;
      entry.appendChild(title);
      if (item.date_published) {
        var date = new Date(item.date_published);
        var time = el("time", date.toLocaleDateString(lang || undefined,
          { year: "numeric", month: "long", day: "numeric" }), "display:block;font-size:0.875em;opacity:0.8");
        time.setAttribute("datetime", item.date_published);
        entry.appendChild(time);
      }
      if (item.summary) entry.appendChild(el("p", item.summary, "margin:0.25em 0 0 0"));
      list.appendChild(entry);
    });
    container.replaceChildren(list.childElementCount ? list : el("p", text.empty));
  }

  function render(container) {
    if (container.getAttribute("data-cisip-rendered")) return;
    container.setAttribute("data-cisip-rendered", "true");
    var lang = container.getAttribute("data-lang");
    var text = messages(lang);
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", text.label);
    container.setAttribute("aria-busy", "true");
    fetch(feedUrl(container), { credentials: "omit", headers: { Accept: "application/feed+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (feed) { renderItems(container, feed, text, lang); })
      .catch(function () {
        var notice = el("p", text.unavailable, "margin:0;opacity:0.8");
        notice.setAttribute("role", "status");
        container.replaceChildren(notice);
      })
      .then(function () { container.removeAttribute("aria-busy"); });
  }

  function renderAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-cisip-news]"), render);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderAll);
  } else {
    renderAll();
  }
})();
