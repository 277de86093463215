// The month's money as a Sankey diagram: contributions to the pools and to each partner,
// and each partner's share to land back, held or paid. The table beside it has the same
// numbers, so the page says everything without this file.
(function () {
  "use strict";

  var data = document.getElementById("transparency-sankey-data");
  var container = document.getElementById("transparency-sankey");
  if (!window.echarts || !data || !container) {
    return;
  }
  var flows = JSON.parse(data.textContent);
  if (!flows.links.length) {
    return;
  }
  function dollars(cents) {
    return "$" + (cents / 100).toLocaleString("en-AU", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  container.hidden = false;
  var chart = echarts.init(container);
  chart.setOption({
    animation: false,
    textStyle: { fontSize: 13 },
    tooltip: {
      trigger: "item",
      formatter: function (item) {
        return item.dataType === "edge"
          ? item.data.source + " → " + item.data.target + ": " + dollars(item.data.value)
          : item.name + ": " + dollars(item.value);
      }
    },
    series: [{
      type: "sankey",
      data: flows.nodes,
      links: flows.links,
      nodeGap: 14,
      left: 8,
      right: 130,
      emphasis: { focus: "adjacency" },
      lineStyle: { color: "gradient", opacity: 0.45 },
      label: { color: "#1b1f1d" }
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
}());
