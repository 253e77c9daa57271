// The live feed. The server renders everything on it, for this viewer (their time
// zone, their "today"): the rows, the counters, the chart's numbers and the chat
// activity notes, with the same partials as the first page load. A websocket event
// is a hint that something changed: the page then asks the server what changed since
// its cursors (the newest decision id and the time of its last refresh) and swaps in
// the HTML it gets. A reconnect (exponential backoff) does the same, so a close or a
// first reply missed while offline is caught up too. Nothing is counted here.
(function () {
  "use strict";
  const feed = document.getElementById("feed");
  if (!feed) return;
  const tbody = document.getElementById("decision-rows");
  const status = document.getElementById("feed-status");
  const windowSize = Number(feed.dataset.window || 50);
  let asOf = feed.dataset.asOf || "";

  const fragment = (html, container) => {
    const tmp = document.createElement(container);
    tmp.innerHTML = html.trim();
    return tmp.firstElementChild;
  };
  const prependKept = (list, el, keep) => {
    const empty = list.querySelector("[data-empty]");
    if (empty) empty.remove();
    list.insertBefore(el, list.firstChild);
    const items = list.children;
    for (let i = items.length - 1; i >= keep; i--) items[i].remove();
  };

  // -- chart: drawn from the numbers the server put in #feed-chart-data ---------
  const chart = new Chart(document.getElementById("feed-chart"), {
    type: "bar",
    data: { labels: [], datasets: [{ label: "Assignments", data: [], backgroundColor: "#5b5bf7", borderRadius: 6, maxBarThickness: 26 }] },
    options: {
      indexAxis: "y",
      animation: matchMedia("(prefers-reduced-motion: reduce)").matches ? false : { duration: 250 },
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { grid: { display: false } } },
    },
  });
  const drawChart = () => {
    const rows = document.querySelectorAll("#feed-chart-data tbody tr");
    chart.data.labels = Array.from(rows, (tr) => tr.dataset.assignee);
    chart.data.datasets[0].data = Array.from(rows, (tr) => Number(tr.querySelector("td").textContent));
    chart.update();
  };

  // -- applying what the server sent --------------------------------------------
  const lastId = () => {
    const first = tbody.querySelector("tr[data-decision]");
    return first ? Number(first.dataset.decision) : 0;
  };
  const addRow = (id, html) => {
    if (tbody.querySelector('tr[data-decision="' + id + '"]')) return;
    const empty = tbody.querySelector("tr:not([data-decision])");
    if (empty) empty.remove();
    const row = fragment(html, "tbody");
    row.classList.add("fresh");
    tbody.insertBefore(row, tbody.firstChild);
    const rows = tbody.querySelectorAll("tr[data-decision]");
    for (let i = windowSize; i < rows.length; i++) rows[i].remove();
  };
  const replaceRow = (id, html) => {
    const old = tbody.querySelector('tr[data-decision="' + id + '"]');
    if (old) old.replaceWith(fragment(html, "tbody"));
  };
  const chatNotes = document.getElementById("chat-changes");
  const addChatChange = (item) => {
    if (!chatNotes || chatNotes.querySelector('[data-key="' + item.key + '"]')) return;
    prependKept(chatNotes, fragment(item.html, "ul"), 10);
  };
  const swap = (id, html) => {
    const old = document.getElementById(id);
    if (old) old.replaceWith(fragment(html, "div"));
  };

  // -- refresh: one request in flight at most; events meanwhile ask for one more --
  let inFlight = false;
  let again = false;
  const refresh = async () => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      const query = new URLSearchParams({ after: String(lastId()), since: asOf });
      const res = await fetch(feed.dataset.sinceUrl + "?" + query, { credentials: "same-origin" });
      if (res.ok) {
        const data = await res.json();
        data.decisions.forEach((item) => addRow(item.decision.id, item.html));
        data.updated.forEach((item) => replaceRow(item.decision, item.html));
        data.chat_changes.forEach(addChatChange);
        swap("feed-stats", data.stats_html);
        swap("feed-chart-data", data.chart_html);
        drawChart();
        asOf = data.as_of;
      }
    } catch (err) {
      // Offline or the server restarting: the next event or reconnect asks again.
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  };

  // -- meetings: calendars renders the change note; the row comes from refresh ---
  const meetingNotes = document.getElementById("meeting-changes");
  const meetingUpdated = (event) => {
    if (meetingNotes && event.note) prependKept(meetingNotes, fragment(event.note, "ul"), 10);
  };

  const setStatus = (state, text) => {
    status.dataset.state = state;
    status.className = "badge " + ({ live: "green", connecting: "", offline: "amber" }[state] || "");
    status.innerHTML = '<span class="dot ' + (state === "live" ? "green" : state === "offline" ? "amber" : "") + '"></span> ';
    status.appendChild(document.createTextNode(text));
  };

  // -- the socket, with backoff ---------------------------------------------------
  let attempt = 0;
  const connect = () => {
    setStatus("connecting", attempt ? "Reconnecting…" : "Connecting…");
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + feed.dataset.wsUrl);
    socket.onopen = () => {
      setStatus("live", "Live");
      refresh(); // catch up: what happened since the page was rendered, or while away
      attempt = 0;
    };
    socket.onmessage = (msg) => {
      const event = JSON.parse(msg.data);
      if (event.type === "meeting.updated") meetingUpdated(event);
      if (event.type === "decision.created" || event.type === "chat.updated" || event.type === "meeting.updated") refresh();
    };
    socket.onclose = (ev) => {
      if (ev.code === 4401 || ev.code === 4403) {
        setStatus("offline", "Not authorised: reload the page and log in");
        return;
      }
      attempt += 1;
      const delay = Math.min(30000, 1000 * 2 ** Math.min(attempt - 1, 5)) * (0.75 + Math.random() * 0.5);
      setStatus("offline", "Offline, retrying in " + Math.round(delay / 1000) + " s");
      setTimeout(connect, delay);
    };
  };
  drawChart();
  connect();
})();
