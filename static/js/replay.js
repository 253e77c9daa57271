// The replay page: each assignee's share before and after, as a bar chart.
// The data is the results partial's json_script; the partial arrives either with
// the page or, for a run on a worker, by htmx once the progress poll says done.
(() => {
  "use strict";
  const draw = (root) => {
    root.querySelectorAll("canvas[data-replay-chart]").forEach((canvas) => {
      if (canvas.dataset.drawn) return;
      const source = document.getElementById(canvas.dataset.replayChart);
      if (!source || typeof Chart === "undefined") return;
      const data = JSON.parse(source.textContent);
      canvas.dataset.drawn = "1";
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: "Before (%)", data: data.before, backgroundColor: "#c7d0ff", borderRadius: 4, maxBarThickness: 22 },
            { label: "After (%)", data: data.after, backgroundColor: "#5b5bf7", borderRadius: 4, maxBarThickness: 22 },
          ],
        },
        options: {
          indexAxis: "y",
          animation: false,
          plugins: { legend: { position: "bottom" } },
          scales: { x: { beginAtZero: true, max: 100, ticks: { callback: (v) => v + "%" } }, y: { grid: { display: false } } },
        },
      });
    });
  };
  document.addEventListener("DOMContentLoaded", () => draw(document));
  document.addEventListener("htmx:afterSettle", () => draw(document));
})();
