// Draws the dashboard's charts from the JSON the page embeds (no inline script: CSP).
(function () {
  "use strict";
  if (!window.echarts) { return; }
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = echarts.init(el, null, { renderer: "svg" });
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
    el.setAttribute("data-rendered", "true");
  }
  var trend = data("trend-data");
  if (trend) {
    chart("trend-chart", {
      tooltip: { trigger: "axis" }, legend: { type: "scroll", bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 56 },
      xAxis: { type: "category", data: trend.months }, yAxis: { type: "value", name: "得分" },
      series: trend.series.map(function (s) {
        return { name: s.name, type: "line", data: s.data, connectNulls: true };
      })
    });
  }
  var radar = data("radar-data");
  if (radar) {
    var series = [{ name: "示范带平均", value: radar.belt_average }].concat(radar.villages);
    chart("radar-chart", {
      tooltip: {}, legend: { type: "scroll", bottom: 0 },
      radar: { indicator: radar.indicator, radius: "60%" },
      series: [{ type: "radar", data: series }]
    });
  }
  var heat = data("heatmap-data");
  if (heat) {
    chart("heatmap-chart", {
      tooltip: { formatter: function (p) { return heat.villages[p.value[1]] + " " + heat.days[p.value[0]] + "：" + p.value[2] + "%"; } },
      grid: { left: 80, right: 16, top: 8, bottom: 60 },
      xAxis: { type: "category", data: heat.days }, yAxis: { type: "category", data: heat.villages },
      visualMap: { min: 0, max: 100, orient: "horizontal", left: "center", bottom: 0, text: ["合规", "不合规"] },
      series: [{ type: "heatmap", data: heat.cells }]
    });
  }
})();
