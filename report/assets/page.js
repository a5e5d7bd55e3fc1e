// Draws the report's charts with uPlot from the JSON in #report-data. Runs in the browser, offline.
// Chart specs are computed by report/charts.ts: { id, title, unit, x: seconds, series: [{ label, values }] }.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var css = getComputedStyle(document.documentElement);
  var v = function (name) { return css.getPropertyValue(name).trim(); };
  var palette = [v('--s1'), v('--s2'), v('--s3'), v('--s4')];

  function duration(s) {
    if (s < 60) return s + 's';
    var m = Math.floor(s / 60), r = Math.round(s % 60);
    if (m < 60) return m + 'm' + (r ? r + 's' : '');
    return Math.floor(m / 60) + 'h' + (m % 60 ? (m % 60) + 'm' : '');
  }

  function number(n) {
    if (n == null) return '–';
    var a = Math.abs(n);
    return a >= 100 ? n.toFixed(0) : a >= 1 ? n.toFixed(2) : n.toFixed(3);
  }

  function axis(label) {
    return {
      label: label, stroke: v('--muted'), grid: { stroke: v('--grid'), width: 1 }, ticks: { stroke: v('--grid'), width: 1 },
    };
  }

  function options(spec, width) {
    var x = axis(spec.xLabel || 'elapsed');
    var xValue = spec.xLabel ? number : duration;
    x.values = function (u, splits) { return splits.map(xValue); };
    var y = axis(spec.unit);
    y.size = 60;
    return {
      width: width, height: 240,
      // Rates, counts and latencies are never negative: y starts at 0; an all-zero series reads 0..1.
      scales: { x: { time: false }, y: { range: function (u, min, max) { return [Math.min(0, min || 0), max > 0 ? max * 1.08 : 1]; } } },
      cursor: { drag: { x: true, y: false } },
      axes: [x, y],
      series: [{ label: spec.xLabel || 'elapsed', value: function (u, s) { return s == null ? '–' : xValue(s); } }].concat(
        spec.series.map(function (s, i) {
          return { label: s.label, stroke: palette[i % palette.length], width: 1.5, spanGaps: false, points: { show: spec.x.length < 3 || spec.id.indexOf('llm-sweep') === 0 || spec.id.indexOf('capacity') === 0 },
            value: function (u, n) { return number(n); } };
        })),
    };
  }

  var plots = [];
  data.groups.forEach(function (group) {
    group.charts.forEach(function (spec) {
      var el = document.getElementById(spec.id);
      if (!el) return;
      var rows = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
      plots.push({ el: el, plot: new uPlot(options(spec, Math.max(el.clientWidth, 300)), rows, el) });
    });
  });

  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      plots.forEach(function (p) { p.plot.setSize({ width: Math.max(p.el.clientWidth, 300), height: 240 }); });
    });
  });
})();
