// Participation dashboards: draws the charts from the figures the page carries in
// json_script blocks. The tables next to them hold the same figures; without this
// script (or without Chart.js) the page is complete.
(function () {
  "use strict";

  var PALETTE = ["#417690", "#c96a1b", "#2f8f5b", "#8e44ad", "#b03a2e", "#7f8c8d", "#d4ac0d"];

  function data(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function lineChart(canvasId, dataId, options) {
    var canvas = document.getElementById(canvasId);
    var figures = data(dataId);
    if (!canvas || !figures || !window.Chart) {
      return null;
    }
    var datasets = figures.datasets.map(function (dataset, index) {
      var colour = PALETTE[index % PALETTE.length];
      return {
        label: dataset.label,
        data: dataset.data,
        borderColor: colour,
        backgroundColor: colour,
        spanGaps: true,
        pointRadius: figures.labels.length > 40 ? 0 : 2,
        tension: 0.2,
      };
    });
    var chart = new window.Chart(canvas, {
      type: "line",
      data: { labels: figures.labels, datasets: datasets },
      options: Object.assign(
        {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          interaction: { mode: "index", intersect: false },
          scales: {
            x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } },
            y: { beginAtZero: true, ticks: { precision: 0 } },
          },
          plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        },
        options || {}
      ),
    });
    canvas.dataset.drawn = "true";
    return chart;
  }

  function draw() {
    window.cercleDashboard = {
      days: lineChart("chart-days", "chart-days-data"),
      trend: lineChart("chart-trend", "chart-trend-data"),
    };
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
