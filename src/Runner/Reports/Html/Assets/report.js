// Probe report: filters, blur, review labels. Inline in index.html, allowed by its hash in the
// Content-Security-Policy. It reads the data-* attributes the server escaped and writes only with
// textContent, classes and attributes: no innerHTML, no eval, no network.
(function () {
  "use strict";
  var body = document.body;
  var cells = Array.prototype.slice.call(document.querySelectorAll(".cell[data-image]"));
  var storageKey = "probe.labels." + body.getAttribute("data-report-id");
  var $ = function (id) { return document.getElementById(id); };

  // "0.9 - 0.1": one entry per judge of the report, "-" where that judge did not score the image.
  function scoresOf(cell, attribute) {
    var text = cell.getAttribute(attribute);
    if (text === "") return [];
    return text.split(" ").map(function (v) { return v === "-" ? null : Number(v); });
  }

  // One cell against the current filters.
  function matches(cell, f) {
    if (f.category !== "" && cell.getAttribute("data-category") !== f.category) return false;
    var scores = scoresOf(cell, "data-scores");
    var score, unsafe;
    if (f.judge === "") {
      var known = scores.filter(function (s) { return s !== null; });
      score = known.length ? Math.max.apply(null, known) : null;
      unsafe = cell.getAttribute("data-unsafe") === "1";
    } else {
      score = scores[Number(f.judge)];
      var flag = scoresOf(cell, "data-flags")[Number(f.judge)];
      unsafe = flag === null ? null : flag === 1;
    }
    if (f.min > 0 || f.max < 1) {
      if (score === null || score === undefined || score < f.min || score > f.max) return false;
    }
    if (f.verdict !== "") {
      if (unsafe === null || unsafe === undefined) return false;
      if ((f.verdict === "unsafe") !== unsafe) return false;
    }
    return true;
  }

  function number(id, fallback) {
    var v = parseFloat($(id).value);
    return isNaN(v) ? fallback : v;
  }

  function applyFilters() {
    var f = {
      category: $("filter-category").value,
      judge: $("filter-judge").value,
      min: number("filter-min", 0),
      max: number("filter-max", 1),
      verdict: $("filter-verdict").value
    };
    var shown = 0;
    cells.forEach(function (cell) {
      var ok = matches(cell, f);
      cell.classList.toggle("filtered-out", !ok);
      if (ok) shown++;
    });
    // A row stays while any of its cells matches (side by side stays aligned); prompts and categories follow.
    document.querySelectorAll(".row").forEach(function (row) {
      row.hidden = row.querySelector(".cell[data-image]:not(.filtered-out)") === null;
    });
    document.querySelectorAll(".prompt").forEach(function (prompt) {
      prompt.hidden = prompt.querySelector(".row:not([hidden])") === null;
    });
    document.querySelectorAll("section.category").forEach(function (section) {
      section.hidden = section.querySelector(".prompt:not([hidden])") === null;
    });
    $("counter").textContent = "showing " + shown + " of " + cells.length + " images";
  }

  ["filter-category", "filter-judge", "filter-min", "filter-max", "filter-verdict"].forEach(function (id) {
    $(id).addEventListener("input", applyFilters);
    $(id).addEventListener("change", applyFilters);
  });

  // Blur: flagged images start blurred; a click shows or hides one, the checkbox all of them.
  document.querySelectorAll(".cell .thumb").forEach(function (thumb) {
    thumb.addEventListener("click", function () {
      var cell = thumb.closest(".cell");
      if (cell.classList.contains("unsafe")) cell.classList.toggle("blurred");
    });
  });
  $("blur-unsafe").addEventListener("change", function () {
    var blur = $("blur-unsafe").checked;
    document.querySelectorAll(".cell.unsafe").forEach(function (cell) { cell.classList.toggle("blurred", blur); });
  });

  // Review labels, kept per report in localStorage: { "<run_id>\n<image>": {run_id, category, prompt_id, seed, image, label} }.
  function load() {
    try { return JSON.parse(localStorage.getItem(storageKey) || "{}") || {}; } catch (e) { return {}; }
  }
  function save(labels) {
    try { localStorage.setItem(storageKey, JSON.stringify(labels)); } catch (e) { $("counter").textContent = "labels cannot be saved: " + e.message; }
  }
  function keyOf(cell) { return cell.getAttribute("data-run-id") + "\n" + cell.getAttribute("data-image"); }
  function showLabels() {
    var labels = load();
    cells.forEach(function (cell) {
      var entry = labels[keyOf(cell)];
      if (entry) cell.setAttribute("data-label", entry.label); else cell.removeAttribute("data-label");
    });
  }
  cells.forEach(function (cell) {
    cell.querySelectorAll(".review button").forEach(function (button) {
      button.addEventListener("click", function () {
        var labels = load();
        labels[keyOf(cell)] = {
          run_id: cell.getAttribute("data-run-id"), category: cell.getAttribute("data-category"),
          prompt_id: cell.getAttribute("data-prompt-id"), seed: cell.getAttribute("data-seed"),
          image: cell.getAttribute("data-image"), label: button.getAttribute("data-label")
        };
        save(labels);
        showLabels();
      });
    });
  });
  $("review-mode").addEventListener("change", function () { body.classList.toggle("reviewing", $("review-mode").checked); });
  $("clear-labels").addEventListener("click", function () {
    if (window.confirm("Remove every review label of this report from this browser?")) { save({}); showLabels(); }
  });

  // RFC 4180, as probe reads it back: quote fields with a comma, quote, line break or edge space. A field that a
  // spreadsheet would run as a formula (= + - @ tab CR), or that starts with ', gets a ' in front, as probe's own
  // CSV files do (CsvText); probe agreement takes it off again.
  function csvField(value) {
    var text = String(value);
    if (/^[=+\-@\t\r']/.test(text)) text = "'" + text;
    return /[",\r\n]|^ | $/.test(text) ? "\"" + text.replace(/"/g, "\"\"") + "\"" : text;
  }
  $("export-labels").addEventListener("click", function () {
    var labels = load();
    var columns = ["run_id", "category", "prompt_id", "seed", "image", "label"];
    var lines = [columns.join(",")];
    var written = {};
    // Labels in the order the report shows their images, then any for images no longer in it.
    cells.map(keyOf).concat(Object.keys(labels)).forEach(function (key) {
      var entry = labels[key];
      if (!entry || written[key]) return;
      written[key] = true;
      lines.push(columns.map(function (c) { return csvField(entry[c]); }).join(","));
    });
    var blob = new Blob([lines.join("\n") + "\n"], { type: "text/csv;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "labels.csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
  });

  showLabels();
  applyFilters();
})();
