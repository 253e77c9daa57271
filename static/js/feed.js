// The live feed: rows arrive over a websocket (the server renders them with the
// same partial as the first page load); on disconnect we reconnect with
// exponential backoff and catch up over HTTP, so nothing is missed.
(function () {
  "use strict";
  const feed = document.getElementById("feed");
  if (!feed) return;
  const tbody = document.getElementById("decision-rows");
  const status = document.getElementById("feed-status");
  const windowSize = Number(feed.dataset.window || 50);
  const stat = (name) => document.querySelector('[data-stat="' + name + '"]');

  // -- chart: assignments per assignee among the rows on the page ------------
  const chart = new Chart(document.getElementById("feed-chart"), {
    type: "bar",
    data: { labels: [], datasets: [{ label: "Assignments", data: [], backgroundColor: "#5b5bf7", borderRadius: 6, maxBarThickness: 26 }] },
    options: {
      indexAxis: "y",
      animation: { duration: 250 },
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { grid: { display: false } } },
    },
  });
  const redraw = () => {
    const counts = new Map();
    tbody.querySelectorAll("tr[data-decision]").forEach((row) => {
      counts.set(row.dataset.assignee, (counts.get(row.dataset.assignee) || 0) + 1);
    });
    const sorted = Array.from(counts.entries()).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    chart.data.labels = sorted.map((e) => e[0]);
    chart.data.datasets[0].data = sorted.map((e) => e[1]);
    chart.update();
    stat("window").textContent = String(tbody.querySelectorAll("tr[data-decision]").length);
  };
  window.knockFeedChart = chart; // read by the browser tests

  // -- rows and counters --------------------------------------------------------
  const lastId = () => {
    const first = tbody.querySelector("tr[data-decision]");
    return first ? Number(first.dataset.decision) : 0;
  };
  const addRow = (decision, html) => {
    if (tbody.querySelector('tr[data-decision="' + decision.id + '"]')) return false;
    const empty = tbody.querySelector("tr:not([data-decision])");
    if (empty) empty.remove();
    const tmp = document.createElement("tbody");
    tmp.innerHTML = html.trim();
    const row = tmp.firstElementChild;
    row.classList.add("fresh");
    tbody.insertBefore(row, tbody.firstChild);
    const rows = tbody.querySelectorAll("tr[data-decision]");
    for (let i = windowSize; i < rows.length; i++) rows[i].remove();
    return true;
  };
  const bumpCounters = (decision) => {
    if (decision.kind !== "chat" || decision.via === "reassigned") return; // not a new chat
    const chats = Number(stat("chats").textContent) + 1;
    const ai = Number(stat("ai").textContent) + (decision.assignee.type === "ai_agent" ? 1 : 0);
    stat("chats").textContent = String(chats);
    stat("ai").textContent = String(ai);
    stat("ai_share").textContent = String(Math.round((100 * ai) / chats));
  };
  const setCounters = (s) => {
    stat("chats").textContent = String(s.chats);
    stat("ai").textContent = String(s.ai);
    stat("ai_share").textContent = String(s.chats ? Math.round((100 * s.ai) / s.chats) : 0);
    stat("median_response").textContent = s.median_response === null ? "—" : s.median_response + " min";
  };
  const setStatus = (state, text) => {
    status.dataset.state = state;
    status.className = "badge " + ({ live: "green", connecting: "", offline: "amber" }[state] || "");
    status.innerHTML = '<span class="dot ' + (state === "live" ? "green" : state === "offline" ? "amber" : "") + '"></span> ' + text;
  };

  // -- meetings: a change swaps the decision's row in place and adds a note ----
  const changes = document.getElementById("meeting-changes");
  const replaceRow = (decisionId, html) => {
    const old = tbody.querySelector('tr[data-decision="' + decisionId + '"]');
    if (!old) return false;
    const tmp = document.createElement("tbody");
    tmp.innerHTML = html.trim();
    old.replaceWith(tmp.firstElementChild);
    return true;
  };
  const meetingUpdated = (event) => {
    replaceRow(event.meeting.decision, event.html);
    if (!changes) return;
    const empty = changes.querySelector("li[data-empty]");
    if (empty) empty.remove();
    const tmp = document.createElement("ul");
    tmp.innerHTML = event.note.trim();
    changes.insertBefore(tmp.firstElementChild, changes.firstChild);
    const notes = changes.querySelectorAll("li");
    for (let i = 10; i < notes.length; i++) notes[i].remove();
  };

  // -- chats: closes, reopens, first replies and owner changes (chat.updated) --
  const chatNotes = document.getElementById("chat-changes");
  const chatUpdated = (event) => {
    const chat = event.chat;
    const row = tbody.querySelector('tr[data-decision="' + chat.decision + '"]');
    const state = row && row.querySelector("[data-chat-state]");
    const who = (chat.rep_owner || chat.ai_owner || {}).name || "nobody";
    let note = null;
    if (event.change === "closed") {
      if (state) state.innerHTML = '<span class="badge">Closed</span>';
      note = "closed by " + (chat.closed_by || "someone");
    } else if (event.change === "reopened") {
      if (state) state.textContent = "reopened";
      note = "reopened";
    } else if (event.change === "responding_rep" && chat.responding_rep) {
      const text = "replied in " + chat.response_time_minutes + " min";
      if (state) state.textContent = text;
      note = "first reply by " + chat.responding_rep.name + ", " + text;
    } else if (event.change === "rep_owner") {
      note = "now owned by " + who;
    }
    if (!note || !chatNotes) return;
    const empty = chatNotes.querySelector("li[data-empty]");
    if (empty) empty.remove();
    const li = document.createElement("li");
    li.dataset.chat = String(chat.id);
    li.textContent = ((chat.lead && chat.lead.email) || "Chat " + chat.id) + ": " + note;
    chatNotes.insertBefore(li, chatNotes.firstChild);
    const notes = chatNotes.querySelectorAll("li");
    for (let i = 10; i < notes.length; i++) notes[i].remove();
  };

  // -- catch up over HTTP ----------------------------------------------------
  const catchUp = async () => {
    const res = await fetch(feed.dataset.sinceUrl + "?after=" + lastId(), { credentials: "same-origin" });
    if (!res.ok) return;
    const data = await res.json();
    data.decisions.forEach((item) => addRow(item.decision, item.html));
    // Meetings on the page may have moved or been cancelled while we were away.
    (data.meetings || []).forEach((item) => replaceRow(item.decision, item.html));
    setCounters(data.stats);
    redraw();
  };

  // -- the socket, with backoff ---------------------------------------------
  const api = { catchUp: catchUp, socket: null, meetingUpdated: meetingUpdated }; // window.knockFeed, for the browser tests
  window.knockFeed = api;
  let attempt = 0;
  let everConnected = false;
  const connect = () => {
    setStatus("connecting", attempt ? "Reconnecting…" : "Connecting…");
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + feed.dataset.wsUrl);
    api.socket = socket;
    socket.onopen = () => {
      setStatus("live", "Live");
      if (everConnected || attempt) catchUp();
      everConnected = true;
      attempt = 0;
    };
    socket.onmessage = (msg) => {
      const event = JSON.parse(msg.data);
      if (event.type === "decision.created" && addRow(event.decision, event.html)) {
        bumpCounters(event.decision);
        redraw();
      } else if (event.type === "meeting.updated") {
        meetingUpdated(event);
      } else if (event.type === "chat.updated") {
        chatUpdated(event);
      }
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
  redraw();
  connect();
})();
