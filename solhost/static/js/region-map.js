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
    hint.textContent = "Solid line: the region's boundary. Dashed band: " +
      data.allowance.properties.name.toLowerCase() + " around it, where servers may also stand. " +
      "Drag to move the map, scroll or pinch to zoom.";
  }

  // The allowance first, so the region is drawn over it and the band shows around it.
  // A name goes on the left of its point when another server stands just to the right,
  // so neighbours' names do not cover each other or their points.
  function crowdedOnTheRight(feature) {
    var here = feature.geometry.coordinates;
    return data.servers.features.some(function (other) {
      var there = other.geometry.coordinates;
      return there[0] > here[0] && there[0] - here[0] < data.span[0] / 3 &&
        Math.abs(there[1] - here[1]) < data.span[1] / 25;
    });
  }

  echarts.registerMap("region", {
    type: "FeatureCollection",
    features: [data.allowance].concat(data.boundary.features)
  });
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
          (p.locality ? "<br>" + encode(p.locality) : "") +
          "<br>" + encode(p.standing);
      }
    },
    geo: {
      map: "region",
      roam: true,
      // Room on the right for the names of the easternmost servers, even on a phone.
      left: 16,
      right: 140,
      top: 16,
      bottom: 16,
      aspectScale: Math.cos(data.center_lat * Math.PI / 180),
      itemStyle: { areaColor: "#d6eadc", borderColor: "#1d5b3a", borderWidth: 2 },
      regions: [{
        name: data.allowance.properties.name,
        itemStyle: { areaColor: "#f4f1e4", borderColor: "#6b5a1e", borderWidth: 1.5, borderType: "dashed" }
      }],
      emphasis: { disabled: true },
      select: { disabled: true },
      label: { show: false }
    },
    series: [{
      type: "scatter",
      coordinateSystem: "geo",
      symbolSize: 16,
      itemStyle: { color: "#f2c14e", borderColor: "#123d27", borderWidth: 2 },
      // Every server is named on the map itself, not only when a pointer rests on it.
      label: {
        show: true,
        position: "right",
        formatter: "{b}",
        color: "#1b1f1d",
        fontSize: 12,
        backgroundColor: "rgba(255, 255, 255, 0.85)",
        padding: [2, 4],
        borderRadius: 3
      },
      labelLayout: { moveOverlap: "shiftY" },
      emphasis: { scale: 1.4 },
      data: data.servers.features.map(function (feature) {
        return {
          name: feature.properties.name,
          value: feature.geometry.coordinates,
          properties: feature.properties,
          label: { position: crowdedOnTheRight(feature) ? "left" : "right" }
        };
      })
    }]
  });
  window.addEventListener("resize", function () {
    chart.resize();
  });
}());
