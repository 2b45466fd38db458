// Renders every element with data-dash-chart="<id of a json_script>" as an ECharts chart.
// The JSON is {labels, unit, series: [{name, data, drill}]}; data-chart-kind is bar, line or
// stacked. A click on a bar or point with a drill token opens the customers behind it
// (data-drill-url + "point=" + token). Labels are data, never HTML.
(function () {
  "use strict";
  function render(el) {
    var source = document.getElementById(el.getAttribute("data-dash-chart"));
    if (!source || !window.echarts) { return; }
    var spec = JSON.parse(source.textContent);
    var kind = el.getAttribute("data-chart-kind") || "bar";
    var drillUrl = el.getAttribute("data-drill-url") || "";
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var unit = spec.unit || "";
    chart.setOption({
      animation: false,
      // the tooltip is drawn in the SVG, not as HTML with inline styles (CSP forbids those)
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { show: spec.series.length > 1 },
      grid: { left: 48, right: 16, top: 32, bottom: 64, containLabel: true },
      xAxis: { type: "category", data: spec.labels, axisLabel: { interval: 0, rotate: spec.labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", axisLabel: { formatter: unit ? "{value}" + unit : "{value}" } },
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: kind === "line" ? "line" : "bar",
          stack: kind === "stacked" ? "total" : undefined,
          data: s.data,
          cursor: drillUrl ? "pointer" : "default"
        };
      })
    });
    if (drillUrl) {
      chart.on("click", function (params) {
        var s = spec.series[params.seriesIndex];
        var token = s && s.drill ? s.drill[params.dataIndex] : null;
        if (token) { window.location.assign(drillUrl + "point=" + encodeURIComponent(token)); }
      });
    }
    el.setAttribute("data-chart-ready", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function all() { document.querySelectorAll("[data-dash-chart]").forEach(render); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", all); } else { all(); }
})();
