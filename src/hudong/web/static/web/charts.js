// Renders every element with data-chart="<id of a json_script>" as an ECharts chart.
// The JSON is {labels: [...], series: [{name, data: [...]}]}; data-chart-kind picks bar or line.
// Labels are set as data, never as HTML, so text from the database cannot inject markup.
(function () {
  "use strict";
  function render(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || !window.echarts) { return; }
    var spec = JSON.parse(source.textContent);
    var kind = el.getAttribute("data-chart-kind") || "bar";
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { show: spec.series.length > 1 },
      grid: { left: 48, right: 16, top: 32, bottom: 64, containLabel: true },
      xAxis: { type: "category", data: spec.labels, axisLabel: { interval: 0, rotate: spec.labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: spec.series.map(function (s) { return { name: s.name, type: kind, data: s.data }; })
    });
    el.setAttribute("data-chart-ready", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function all() { document.querySelectorAll("[data-chart]").forEach(render); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", all); } else { all(); }
})();
