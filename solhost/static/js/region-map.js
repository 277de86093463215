// The region map: the boundary as an ECharts map, the servers as points on it.
// Data comes from the page's JSON block; the table beside the map holds the same points.
(function () {
  "use strict";

  var container = document.getElementById("region-map");
  var source = document.getElementById("region-map-data");
  if (!container || !source || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var encode = echarts.format.encodeHTML;

  container.hidden = false;
  var hint = document.getElementById("region-map-hint");
  if (hint) {
    hint.textContent = "Drag to move the map, scroll or pinch to zoom. The table lists the same servers.";
  }

  echarts.registerMap("region", data.boundary);
  var chart = echarts.init(container);
  chart.setOption({
    animation: false,
    tooltip: {
      trigger: "item",
      borderColor: "#1d5b3a",
      textStyle: { color: "#1b1f1d" },
      formatter: function (item) {
        if (item.seriesType !== "scatter") {
          return encode(data.name);
        }
        var p = item.data.properties;
        return "<strong>" + encode(p.name) + "</strong><br>" +
          encode(p.partner) + "<br>" +
          encode(data.roles[p.role] || p.role) +
          (p.locality ? "<br>" + encode(p.locality) : "");
      }
    },
    geo: {
      map: "region",
      roam: true,
      aspectScale: Math.cos(data.center_lat * Math.PI / 180),
      itemStyle: { areaColor: "#d6eadc", borderColor: "#1d5b3a", borderWidth: 2 },
      emphasis: { disabled: true },
      select: { disabled: true },
      label: { show: false }
    },
    series: [{
      type: "scatter",
      coordinateSystem: "geo",
      symbolSize: 16,
      itemStyle: { color: "#f2c14e", borderColor: "#123d27", borderWidth: 2 },
      emphasis: { scale: 1.4 },
      data: data.servers.features.map(function (feature) {
        return {
          name: feature.properties.name,
          value: feature.geometry.coordinates,
          properties: feature.properties
        };
      })
    }]
  });
  window.addEventListener("resize", function () {
    chart.resize();
  });
}());
