/* Accord — the ego-network explorer (the page /stakeholders/{id}/network).
 *
 * Draws the network the page carries (#explorer-data, the same JSON as
 * GET /api/v1/stakeholders/{id}/network) with the vendored Cytoscape.js:
 * the stakeholder in the centre, direct relations on the first ring, their
 * relations on the second; line width by weight, colour by relation type,
 * node colour by tier. Relation types are shown or hidden in place; depth and
 * therapeutic area refetch the JSON API and keep the URL in step (the back
 * button works). Clicking a node opens that stakeholder's page.
 */
(function () {
  "use strict";

  function start() {
    var root = document.querySelector("[data-explorer]");
    if (!root || typeof window.cytoscape !== "function") return;
    var sid = Number(root.getAttribute("data-sid"));
    var types = JSON.parse(document.getElementById("explorer-types").textContent);
    var people = JSON.parse(root.getAttribute("data-person-types") || "[]");
    var colours = {};
    types.forEach(function (t) { colours[t.value] = t.colour; });
    var form = root.querySelector("form");
    var status = document.getElementById("explorer-status");
    var tierColours = { global: "#1f2430", national: "#3b45c4", regional: "#8a93a3", local: "#ffffff" };

    var cy = window.cytoscape({
      container: document.getElementById("cy"),
      wheelSensitivity: 0.3,
      minZoom: 0.15,
      maxZoom: 4,
      style: [
        { selector: "node", style: {
          "background-color": "data(fill)", "border-width": 1.5, "border-color": "#5a6270",
          "width": "data(size)", "height": "data(size)", "label": "data(label)",
          "font-size": 10, "color": "#1a1d23", "text-valign": "bottom", "text-margin-y": 3,
          "text-wrap": "ellipsis", "text-max-width": 120,
          "text-background-color": "#ffffff", "text-background-opacity": 0.75, "text-background-padding": 1
        } },
        { selector: "node[kind = 'organization']", style: { "shape": "round-rectangle" } },
        { selector: "node[ring = 0]", style: {
          "border-width": 4, "border-color": "#3b45c4", "font-size": 12, "font-weight": 600
        } },
        { selector: "node:active, node.hover", style: { "overlay-opacity": 0.12 } },
        { selector: "edge", style: {
          "width": "data(width)", "line-color": "data(colour)", "target-arrow-color": "data(colour)",
          "curve-style": "bezier", "opacity": 0.8
        } },
        { selector: "edge[?directed]", style: { "target-arrow-shape": "triangle", "arrow-scale": 0.8 } },
        { selector: ".hidden", style: { "display": "none" } }
      ]
    });
    window.accordExplorer = cy; // for the browser tests and the curious

    function elements(data) {
      var maxWeight = data.edges.reduce(function (m, e) { return Math.max(m, e.weight); }, 0) || 1;
      var maxInfluence = data.nodes.reduce(function (m, n) { return Math.max(m, n.influence || 0); }, 0) || 1;
      var els = data.nodes.map(function (n) {
        var organization = people.indexOf(n.type) < 0;
        return { group: "nodes", data: {
          id: String(n.id), label: n.name, ring: n.depth,
          kind: organization ? "organization" : "person",
          fill: n.depth === 0 ? "#eceefc" : (organization ? "#e1e4ea" : tierColours[n.tier] || "#ffffff"),
          size: n.depth === 0 ? 46 : 18 + 22 * Math.sqrt((n.influence || 0) / maxInfluence)
        } };
      });
      data.edges.forEach(function (e, i) {
        els.push({ group: "edges", data: {
          id: "e" + i, source: String(e.source_id), target: String(e.target_id), type: e.type,
          directed: e.directed, colour: colours[e.type] || "#8a93a3",
          width: 1 + 6 * e.weight / maxWeight
        } });
      });
      return els;
    }

    function checkedTypes() {
      return Array.prototype.filter.call(
        form.querySelectorAll('input[name="edge_type"]'), function (box) { return box.checked; }
      ).map(function (box) { return box.value; });
    }

    function applyTypes() {
      // by class, not ":visible": styles are recomputed only after the batch
      var shown = checkedTypes();
      var edges = 0;
      var visible = {};
      cy.batch(function () {
        cy.edges().forEach(function (edge) {
          var on = shown.indexOf(edge.data("type")) >= 0;
          edge.toggleClass("hidden", !on);
          if (on) {
            edges += 1;
            visible[edge.data("source")] = true;
            visible[edge.data("target")] = true;
          }
        });
        cy.nodes().forEach(function (node) {
          var keep = node.data("ring") === 0 || visible[node.id()] === true;
          node.toggleClass("hidden", !keep);
          if (keep) visible[node.id()] = true;
        });
      });
      var nodes = Object.keys(visible).length - 1;
      status.textContent = nodes + (nodes === 1 ? " related stakeholder · " : " related stakeholders · ")
        + edges + (edges === 1 ? " relation" : " relations");
      root.querySelectorAll("#explorer-rows tr[data-node]").forEach(function (row) {
        row.hidden = !visible[row.getAttribute("data-node")];
      });
    }

    function draw(data) {
      cy.elements().remove();
      cy.add(elements(data));
      var counts = {};
      data.edges.forEach(function (e) { counts[e.type] = (counts[e.type] || 0) + 1; });
      root.querySelectorAll("[data-count]").forEach(function (el) {
        el.textContent = counts[el.getAttribute("data-count")] || 0;
      });
      cy.layout({
        name: "concentric", animate: false, padding: 24, minNodeSpacing: 18,
        concentric: function (node) { return 3 - node.data("ring"); },
        levelWidth: function () { return 1; }
      }).run();
      applyTypes();
      fit();
    }

    // a handful of nodes would otherwise fill the frame with giant labels
    function fit() {
      cy.fit(undefined, 24);
      if (cy.zoom() > 1.1) {
        cy.zoom(1.1);
        cy.center();
      }
    }

    function query() {
      var params = new URLSearchParams();
      var depth = form.querySelector('input[name="depth"]:checked');
      params.set("depth", depth ? depth.value : "1");
      var area = form.querySelector('select[name="therapeutic_area"]').value;
      if (area) params.set("therapeutic_area", area);
      return params;
    }

    function refetch() {
      var params = query();
      status.textContent = "Loading…";
      fetch("/api/v1/stakeholders/" + sid + "/network?" + params.toString(), {
        headers: { Accept: "application/json" }, credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (!result.ok) { status.textContent = result.body.detail || "The network could not be loaded."; return; }
        history.pushState(null, "", "/stakeholders/" + sid + "/network?" + params.toString());
        draw(result.body);
        root.setAttribute("data-depth", params.get("depth"));
      }).catch(function () { status.textContent = "The network could not be loaded; try again."; });
    }

    cy.on("tap", "node", function (event) {
      window.location.href = "/stakeholders/" + event.target.id();
    });
    cy.on("mouseover", "node", function (event) {
      event.target.addClass("hover");
      cy.container().style.cursor = "pointer";
    });
    cy.on("mouseout", "node", function (event) {
      event.target.removeClass("hover");
      cy.container().style.cursor = "";
    });

    form.addEventListener("change", function (event) {
      if (event.target.name === "edge_type") applyTypes();
      else refetch();
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); refetch(); });
    root.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var how = button.getAttribute("data-zoom");
        if (how === "fit") { fit(); return; }
        var centre = { x: cy.width() / 2, y: cy.height() / 2 };
        cy.zoom({ level: cy.zoom() * (how === "in" ? 1.25 : 0.8), renderedPosition: centre });
      });
    });
    window.addEventListener("popstate", function () { window.location.reload(); });

    draw(JSON.parse(document.getElementById("explorer-data").textContent));
    root.setAttribute("data-ready", "true");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
