// Agent metrics: one grouped bar chart (minutes per agent, team or region) drawn by ECharts
// from the JSON the page embeds (a data block, not a script), so no inline script is needed.
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("agent-chart");
    var source = document.getElementById("agent-chart-data");
    if (!holder || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var keys = ["handle", "non_contact", "first_response"];
    var chart = window.echarts.init(holder);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: keys.map(function (k) { return data.names[k]; }) },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value" },
      series: keys.map(function (k) {
        return { name: data.names[k], type: "bar", data: data.series[k] };
      })
    });
    holder.setAttribute("data-ready", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
