/* The query page: YASGUI over the plain form, with no call to any other host.
 *
 * Without JavaScript the page is a plain <form> that posts the query and shows a
 * server-rendered table. With it, YASGUI replaces the form:
 * - every feature that calls a third-party service is off: the LOV class and
 *   property autocompleters, prefix.cc (prefixCcApi), the URL shortener, the CORS
 *   probe and the endpoint catalogue's public endpoints;
 * - nothing is stored in the browser (no persistence), so the page shows exactly
 *   the query in its URL;
 * - the page URL carries the query (?query=...), so any state can be shared.
 */
(function () {
  "use strict";

  var root = document.getElementById("yasgui");
  var form = document.getElementById("sparql-form");
  var textarea = document.getElementById("sparql-query");
  if (!root || !form || !textarea || typeof window.Yasgui !== "function") {
    return; // no YASGUI: the plain form stays
  }
  var Yasgui = window.Yasgui;

  // The results table's column-resizer (bundled in YASGUI) adds its CSS as a <style>
  // element, which the Content-Security-Policy (style-src 'self') refuses. Its rules are
  // in sparql.css instead; its <style> elements (marked with a "gripid") are not added.
  var appendToHead = HTMLHeadElement.prototype.appendChild;
  HTMLHeadElement.prototype.appendChild = function (node) {
    if (node && node.tagName === "STYLE" && node.gripid !== undefined) {
      return node;
    }
    return appendToHead.call(this, node);
  };
  var endpoint = new URL(root.getAttribute("data-endpoint"), window.location.href).href;
  var prefixes = {};
  try {
    prefixes = JSON.parse(root.getAttribute("data-prefixes") || "{}");
  } catch (e) {
    prefixes = {};
  }

  function pageUrl(query) {
    var url = new URL(window.location.href);
    url.search = "";
    var lang = new URL(window.location.href).searchParams.get("lang");
    url.searchParams.set("query", query);
    if (lang) {
      url.searchParams.set("lang", lang);
    }
    url.hash = "";
    return url.href;
  }

  // Only local autocompleters: variables, and prefixes from the bundled list.
  Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
  Yasgui.Yasqe.defaults.prefixCcApi = null;
  Yasgui.Yasqe.defaults.createShortLink = undefined;
  Yasgui.Yasqe.defaults.persistenceId = null;
  Yasgui.Yasr.defaults.persistenceId = null;
  Yasgui.Yasr.defaults.prefixes = prefixes;

  var yasgui = new Yasgui(root, {
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
    },
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
      keys: [],
    },
    copyEndpointOnNewTab: true,
    corsProxy: undefined,
    persistenceId: null,
    populateFromUrl: false,
    autoAddOnInit: true,
    yasqe: {
      value: textarea.value,
      persistenceId: null,
      consumeShareLink: null,
      createShareLink: function (yasqe) {
        return pageUrl(yasqe.getValue());
      },
      createShortLink: undefined,
      prefixCcApi: null,
      autocompleters: ["variables", "prefixes"],
    },
    yasr: {
      persistenceId: null,
      prefixes: prefixes,
    },
  });

  var tab = yasgui.getTab();
  var yasqe = tab.getYasqe();
  yasqe.setValue(textarea.value);

  // Name the controls YASGUI draws without a label (WCAG 2.1: every form control has an
  // accessible name): CodeMirror's textarea, the table's page-size menu and filter.
  var names = {
    ".CodeMirror textarea": root.getAttribute("data-editor-label") || "SPARQL",
    "select.tableSizer": root.getAttribute("data-rows-label") || "Rows",
    "input.tableFilter": root.getAttribute("data-filter-label") || "Filter",
  };
  function labelControls() {
    Object.keys(names).forEach(function (selector) {
      Array.prototype.forEach.call(root.querySelectorAll(selector), function (el) {
        if (el.getAttribute("aria-label") !== names[selector]) {
          el.setAttribute("aria-label", names[selector]);
        }
      });
    });
  }
  labelControls();
  new MutationObserver(labelControls).observe(root, { childList: true, subtree: true });

  yasgui.on("query", function (instance, queriedTab) {
    var query = queriedTab.getQuery();
    window.history.replaceState(null, "", pageUrl(query));
    textarea.value = query;
  });

  // The examples load into the editor and run; their links still work as plain links.
  var links = document.querySelectorAll("a.sparql-example");
  Array.prototype.forEach.call(links, function (link) {
    link.addEventListener("click", function (event) {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
        return;
      }
      event.preventDefault();
      var current = yasgui.getTab();
      current.setQuery(link.getAttribute("data-query"));
      window.history.pushState(null, "", pageUrl(link.getAttribute("data-query")));
      current.getYasqe().query();
      root.scrollIntoView({ behavior: "smooth", block: "start" });
    });
  });

  root.hidden = false;
  form.hidden = true;
  var serverResults = document.getElementById("server-results");
  if (root.getAttribute("data-run") === "true") {
    if (serverResults) {
      serverResults.hidden = true;
    }
    yasqe.query();
  }
})();
