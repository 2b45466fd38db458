// Draws the root-cause page's daily chart (data-rc-daily="<id of a json_script>"): one line per
// category over many days, so the day labels thin out by themselves instead of all being drawn.
// The JSON is {labels, series: [{name, data}]}; labels are data, never HTML.
(function () {
  "use strict";
  function render(el) {
    var source = document.getElementById(el.getAttribute("data-rc-daily"));
    if (!source || !window.echarts) { return; }
    var spec = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { show: spec.series.length > 1, type: "scroll" },
      grid: { left: 48, right: 16, top: 32, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: spec.labels, axisLabel: { interval: "auto", hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: spec.series.map(function (s) {
        return { name: s.name, type: "line", data: s.data, showSymbol: false };
      })
    });
    el.setAttribute("data-chart-ready", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function all() { document.querySelectorAll("[data-rc-daily]").forEach(render); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", all); } else { all(); }
})();
