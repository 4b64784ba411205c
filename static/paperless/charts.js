/* Draws the dashboard's figures and wires the chart toggles.
 *
 * Each chart is a <div data-figure="ID"> whose figure (data + layout) sits in a
 * <script type="application/json" id="ID"> written by Django's json_script: no inline
 * script, no data through |safe. A figure inside a hidden panel is drawn when the
 * panel is first shown, so that it gets its real width.
 */
(function () {
  "use strict";

  var CONFIG = { displayModeBar: false, responsive: true, displaylogo: false };

  function figureOf(el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    return source ? JSON.parse(source.textContent) : null;
  }

  function draw(el) {
    if (el.getAttribute("data-drawn") === "true" || !window.Plotly) {
      return;
    }
    var figure = figureOf(el);
    if (!figure) {
      return;
    }
    el.setAttribute("data-drawn", "true");
    window.Plotly.newPlot(el, figure.data, figure.layout, CONFIG);
  }

  function drawVisible(root) {
    root.querySelectorAll("[data-figure]").forEach(function (el) {
      if (!el.closest("[hidden]")) {
        draw(el);
      }
    });
  }

  function show(group, targetId) {
    group.querySelectorAll("button[data-toggle]").forEach(function (button) {
      var id = button.getAttribute("data-toggle");
      var selected = id === targetId;
      var panel = document.getElementById(id);
      button.setAttribute("aria-pressed", selected ? "true" : "false");
      if (panel) {
        panel.hidden = !selected;
        if (selected) {
          drawVisible(panel);
          panel.querySelectorAll("[data-drawn='true']").forEach(function (el) {
            window.Plotly.Plots.resize(el);
          });
        }
      }
    });
  }

  function setUpToggles() {
    document.querySelectorAll("[data-toggle-group]").forEach(function (group) {
      var buttons = group.querySelectorAll("button[data-toggle]");
      if (!buttons.length) {
        return;
      }
      // Without this script both panels stay visible; with it, one at a time.
      group.hidden = false;
      buttons.forEach(function (button) {
        button.addEventListener("click", function () {
          show(group, button.getAttribute("data-toggle"));
        });
      });
      var pressed = group.querySelector("button[aria-pressed='true']") || buttons[0];
      show(group, pressed.getAttribute("data-toggle"));
    });
  }

  function start() {
    setUpToggles();
    drawVisible(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
