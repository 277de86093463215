// Energy charts: a server's energy mix, monthly renewable share and worst outage, and the
// region's renewable share by site. Data comes from the page's JSON block; every chart has
// a table beside it with the same numbers, so the page says everything without this file.
(function () {
  "use strict";

  if (!window.echarts) {
    return;
  }
  var colours = { solar: "#f2c14e", community: "#5fa36b", grid: "#6b6f6d", load: "#123d27", line: "#b5462f" };
  var charts = [];

  function show(id, option, height) {
    var container = document.getElementById(id);
    if (!container) {
      return;
    }
    container.hidden = false;
    if (height) {
      container.style.minHeight = height + "px";
    }
    var chart = echarts.init(container);
    chart.setOption(Object.assign({ animation: false, textStyle: { fontSize: 13 } }, option));
    charts.push(chart);
  }

  function threshold(value) {
    return {
      silent: true,
      symbol: "none",
      lineStyle: { color: colours.line, type: "dashed", width: 2 },
      label: { formatter: "least " + value + " %", position: "insideEndTop" },
      data: [{ yAxis: value }]
    };
  }

  var server = document.getElementById("energy-data");
  if (server) {
    var data = JSON.parse(server.textContent);
    var mix = data.mix.rows;
    var bars = [
      ["pv_wh", data.mix.sources.pv_wh, colours.solar],
      ["community_renewable_wh", data.mix.sources.community_renewable_wh, colours.community],
      ["grid_import_wh", data.mix.sources.grid_import_wh, colours.grid]
    ].map(function (source) {
      return {
        name: source[1], type: "bar", stack: "supply", itemStyle: { color: source[2] },
        data: mix.map(function (row) { return row[source[0]]; })
      };
    });
    show("mix-chart", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 56 },
      xAxis: { type: "category", data: mix.map(function (row) { return row.label; }) },
      yAxis: { type: "value", name: "kWh" },
      dataZoom: mix.length > 31 ? [{ type: "slider", height: 20, bottom: 8 }] : [],
      series: bars.concat([{
        name: "Load", type: "line", symbol: "none", lineStyle: { color: colours.load, width: 2 },
        itemStyle: { color: colours.load },
        data: mix.map(function (row) { return row.load_wh; })
      }])
    });

    var months = data.monthly.rows;
    show("monthly-chart", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + " %"; } },
      grid: { left: 48, right: 16, top: 24, bottom: 32 },
      xAxis: { type: "category", data: months.map(function (row) { return row.month; }) },
      yAxis: { type: "value", min: 0, max: 100, name: "%" },
      series: [{
        name: "Renewable share", type: "bar", barMaxWidth: 48, itemStyle: { color: colours.community },
        data: months.map(function (row) { return row.share; }),
        markLine: threshold(data.monthly.threshold)
      }]
    });

    var trace = data.outage.rows;
    if (trace.length) {
      show("outage-chart", {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 56, right: 16, top: 40, bottom: 40 },
        xAxis: { type: "category", name: "hours", nameLocation: "middle", nameGap: 26, data: trace.map(function (p) { return p.hour; }) },
        yAxis: { type: "value", name: "Wh usable", min: 0 },
        series: [{
          name: "Poor midwinter day", type: "line", symbol: "none", areaStyle: { opacity: 0.25 },
          itemStyle: { color: colours.community }, lineStyle: { width: 2 },
          data: trace.map(function (p) { return p.battery_wh; })
        }, {
          name: "No solar", type: "line", symbol: "none", itemStyle: { color: colours.grid },
          lineStyle: { type: "dashed", width: 2 },
          data: trace.map(function (p) { return p.no_pv_battery_wh; })
        }, {
          name: "Solar", type: "bar", itemStyle: { color: colours.solar },
          data: trace.map(function (p) { return p.pv_wh; })
        }]
      });
    }
  }

  var region = document.getElementById("energy-region-data");
  if (region && document.getElementById("region-chart")) {
    var sites = JSON.parse(region.textContent);
    show("region-chart", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + " %"; } },
      grid: { left: 16, right: 24, top: 32, bottom: 32, containLabel: true },
      yAxis: { type: "category", inverse: true, data: sites.rows.map(function (row) { return row.name; }) },
      xAxis: { type: "value", min: 0, max: 100, name: "%" },
      series: [{
        name: "Renewable share", type: "bar", barMaxWidth: 28, itemStyle: { color: colours.community },
        data: sites.rows.map(function (row) { return row.share; }),
        markLine: sites.threshold === null ? undefined : {
          silent: true, symbol: "none",
          lineStyle: { color: colours.line, type: "dashed", width: 2 },
          label: { formatter: "least " + sites.threshold + " %", position: "start" },
          data: [{ xAxis: sites.threshold }]
        }
      }]
    }, 96 + 44 * sites.rows.length);
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
}());
