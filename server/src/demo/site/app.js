// Acme Ledger: a tiny single-page app used to show Waymark on a real product page.
// It navigates with the history API, calls a JSON API that fails, and has a page
// that throws a JavaScript error.
(function () {
  "use strict";
  var view = null;

  var pages = {
    "/demo/": function () {
      return "<h1>Dashboard</h1><p>Welcome back. You have 3 open invoices.</p>" +
        "<p><span class=\"plan-badge\" id=\"plan-badge\">Growth plan</span></p>";
    },
    "/demo/invoices": function () {
      fetch("/demo/api/invoices").then(function (r) { return r.json(); }).then(function (rows) {
        var body = rows.map(function (r) {
          return "<tr><td>" + r.number + "</td><td>" + r.customer + "</td><td>" + r.total + "</td></tr>";
        }).join("");
        var table = document.getElementById("invoice-rows");
        if (table) table.innerHTML = body;
      });
      return "<h1>Invoices</h1><table><thead><tr><th>Number</th><th>Customer</th><th>Total</th></tr></thead><tbody id=\"invoice-rows\"></tbody></table>";
    },
    "/demo/billing": function () {
      return "<h1>Billing</h1><p>Plan: Growth · next charge on the 1st.</p>" +
        "<button id=\"pay-now\">Pay outstanding balance</button><div id=\"pay-result\"></div>";
    },
    "/demo/csp": function () {
      return "<h1>Dashboard</h1><p>This copy of the dashboard is served with a strict Content-Security-Policy; the widget still works.</p>";
    },
    "/demo/module": function () {
      return "<h1>Dashboard</h1><p>This copy of the dashboard boots Waymark from its ES-module entry, as a bundled app would.</p>";
    },
    "/demo/reports/export": function () {
      return "<h1>Export</h1><p>Download every invoice as CSV.</p><button id=\"export-csv\">Export CSV</button>";
    }
  };

  function render() {
    var page = pages[location.pathname] || function () {
      return "<h1>Not found</h1><p>There is no page at " + location.pathname.replace(/[<>&]/g, "") + ".</p>";
    };
    view.innerHTML = page();
    document.title = (view.querySelector("h1") || { textContent: "Acme" }).textContent + " · Acme Ledger";
  }

  function navigate(path) {
    history.pushState({}, "", path);
    render();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-link]");
    if (link) {
      event.preventDefault();
      navigate(link.getAttribute("href"));
      return;
    }
    if (event.target.id === "pay-now") {
      fetch("/demo/api/payment", { method: "POST" }).then(function (r) {
        var out = document.getElementById("pay-result");
        if (!r.ok && out) {
          out.className = "error";
          out.setAttribute("data-waymark-error-page", "E502");
          out.textContent = "Payment failed (E502): the payment provider did not answer.";
        }
      });
    }
    if (event.target.id === "export-csv") {
      throw new Error("ExportError: CSV worker failed to start");
    }
  });

  window.addEventListener("popstate", render);
  document.addEventListener("DOMContentLoaded", function () {
    view = document.getElementById("view");
    render();
  });
})();
