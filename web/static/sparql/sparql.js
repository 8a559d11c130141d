/* The query page: YASGUI over the plain form, with no call to any other host.
 *
 * Without JavaScript the page is a plain <form> that posts the query and shows a
 * server-rendered table. With it, YASGUI replaces the form:
 * - every feature that calls a third-party service is off: the LOV class and
 *   property autocompleters, prefix.cc (prefixCcApi), the URL shortener, the CORS
 *   probe and the endpoint catalogue's public endpoints;
 * - nothing is stored in the browser (no persistence), so the page shows exactly
 *   the query in its URL;
 * - the page URL carries the query (?query=...), so any state can be shared;
 * - YASGUI is shown before it is built, so its editor lays out the query at once (an
 *   editor built in a hidden element stays blank until clicked);
 * - YASGUI's own words are in the page's language (data-words: hamar_graph/text.toml,
 *   section [yasgui]): DataTables' texts, the plugins' names, buttons and labels;
 * - links to resources under the base IRI (data-base-iri) stay on this server.
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
  var words = {};
  try {
    words = JSON.parse(root.getAttribute("data-words") || "{}");
  } catch (e) {
    words = {};
  }
  var english = words.en || {};
  var local = words.text || {};
  var baseIri = root.getAttribute("data-base-iri") || "";

  // DataTables' texts (the results table), and the names of YASR's views.
  var tablePlugin = Yasgui.Yasr.plugins.table;
  if (tablePlugin && tablePlugin.defaults && tablePlugin.defaults.tableConfig) {
    var language = tablePlugin.defaults.tableConfig.language || {};
    language.sInfo = local.info || language.sInfo;
    language.sInfoEmpty = local.info_empty || language.sInfoEmpty;
    language.sInfoFiltered = local.info_filtered || language.sInfoFiltered;
    language.sEmptyTable = local.empty_table || language.sEmptyTable;
    language.sZeroRecords = local.zero_records || language.sZeroRecords;
    language.entries = { _: local.entries || "entries", 1: local.entry || "entry" };
    language.lengthLabels = { "-1": local.all || "All" };
    tablePlugin.defaults.tableConfig.language = language;
  }
  ["table", "response"].forEach(function (name) {
    var Base = Yasgui.Yasr.plugins[name];
    if (typeof Base !== "function" || !local[name]) {
      return;
    }
    var Named = class extends Base {
      constructor(yasr) {
        super(yasr);
        this.label = local[name];
      }
    };
    Named.defaults = Base.defaults;
    Yasgui.Yasr.registerPlugin(name, Named);
  });

  // Every other word YASGUI writes: text, title, aria-label and placeholder that are
  // exactly one of its English texts, and its "N results in S seconds".
  var translations = {};
  Object.keys(english).forEach(function (key) {
    if (local[key] && english[key] !== local[key] && english[key].indexOf("{") < 0) {
      translations[english[key]] = local[key];
    }
  });
  function resultsInfo(text) {
    var m = /^(?:(\d+) results?)?(?:Response)?(?: in ([\d.]+) seconds?)?$/.exec(text);
    if (!m || (!m[1] && !m[2]) || !local.results) {
      return null;
    }
    var parts = [];
    if (m[1]) {
      parts.push(m[1] === "1" ? local.results_one : local.results.replace("{count}", m[1]));
    } else {
      parts.push(local.response);
    }
    if (m[2]) {
      var seconds = m[2];
      if (document.documentElement.lang === "nb") {
        seconds = seconds.replace(".", ",");
      }
      parts.push((m[2] === "1" ? local.second : local.seconds).replace("{seconds}", seconds));
    }
    return parts.join(" ");
  }
  function translate(node) {
    if (node.nodeType === Node.TEXT_NODE) {
      var text = node.nodeValue.trim();
      var better = translations[text] || resultsInfo(text);
      if (text && better && better !== text) {
        node.nodeValue = node.nodeValue.replace(text, better);
      }
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) {
      return;
    }
    ["title", "aria-label", "placeholder"].forEach(function (attribute) {
      var value = node.getAttribute(attribute);
      if (value && translations[value]) {
        node.setAttribute(attribute, translations[value]);
      }
    });
    if (node.tagName === "A" && baseIri) {
      var href = node.getAttribute("href") || "";
      if (href.indexOf(baseIri) === 0) {
        node.setAttribute("href", "/" + href.slice(baseIri.length));
        node.removeAttribute("target");
        if (!node.getAttribute("title")) {
          node.setAttribute("title", href);
        }
      }
    }
    Array.prototype.forEach.call(node.childNodes, translate);
  }

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

  // Shown before it is built: CodeMirror measures its element when it is made.
  root.hidden = false;
  form.hidden = true;
  var yasgui = new Yasgui(root, {
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      // Errors (an undeclared prefix ...) in the page's language.
      args: [{ name: "lang", value: document.documentElement.lang === "nb" ? "nb" : "en" }],
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
  yasqe.refresh();

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
  translate(root);
  new MutationObserver(function (mutations) {
    labelControls();
    mutations.forEach(function (mutation) {
      if (mutation.type === "characterData") {
        translate(mutation.target);
      } else if (mutation.type === "attributes") {
        translate(mutation.target);
      } else {
        Array.prototype.forEach.call(mutation.addedNodes, translate);
        translate(mutation.target);
      }
    });
  }).observe(root, {
    childList: true,
    subtree: true,
    characterData: true,
    attributes: true,
    attributeFilter: ["title", "aria-label", "placeholder", "href"],
  });

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

  var serverResults = document.getElementById("server-results");
  if (root.getAttribute("data-run") === "true") {
    if (serverResults) {
      serverResults.hidden = true;
    }
    yasqe.query();
  }
})();
