// Coverage charts (ECharts, vendored). Data comes from the page's JSON block:
// the CSP allows no inline script, and tooltips render in the canvas (richText)
// so that no inline style attributes are needed either.
(function () {
  function init() {
    var data = document.getElementById("coverage-data");
    if (!data || typeof echarts === "undefined") return;
    var d = JSON.parse(data.textContent);
    var font = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
    var colors = ["#C8161D", "#e8684a", "#3b82f6", "#60a5fa", "#9ca3af"];
    var charts = [];
    var modes = document.getElementById("chart-modes");
    if (modes) {
      var c = echarts.init(modes, null, { renderer: "canvas" });
      c.setOption({
        textStyle: { fontFamily: font },
        color: colors,
        // shares come from the server, rounded as the tables are
        tooltip: { trigger: "item", renderMode: "richText", formatter: function (p) { return p.name + "：" + p.value + "（" + p.data.share.toFixed(1) + "%）"; } },
        legend: { bottom: 0, icon: "circle" },
        series: [{ type: "pie", radius: ["42%", "68%"], center: ["50%", "44%"], label: { formatter: function (p) { return p.name + "\n" + p.data.share.toFixed(1) + "%"; } }, data: d.modes }]
      });
      charts.push(c);
    }
    var regions = document.getElementById("chart-regions");
    if (regions) {
      var r = echarts.init(regions, null, { renderer: "canvas" });
      var names = d.regions.map(function (x) { return x.name; });
      var line = d.target == null ? [] : [{ yAxis: d.target, name: "覆盖率目标", label: { formatter: "目标 {c}%" } }];
      r.setOption({
        textStyle: { fontFamily: font },
        color: ["#C8161D", "#f59e0b"],
        tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: function (v) { return v + "%"; } },
        legend: { top: 0, data: ["覆盖率", "单建率"] },
        grid: { left: 44, right: 16, top: 32, bottom: names.length > 6 ? 96 : 32 },
        xAxis: { type: "category", data: names, axisLabel: {
          interval: 0, rotate: names.length > 6 ? 45 : 0, fontSize: names.length > 12 ? 10 : 12,
          formatter: function (v) { return v.length > 7 ? v.slice(0, 6) + "…" : v; } } },
        yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        series: [
          { name: "覆盖率", type: "bar", data: d.regions.map(function (x) { return x.coverage; }), markLine: { symbol: "none", data: line } },
          { name: "单建率", type: "bar", data: d.regions.map(function (x) { return x.standalone; }) }
        ]
      });
      charts.push(r);
    }
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    document.body.setAttribute("data-charts-ready", String(charts.length));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
