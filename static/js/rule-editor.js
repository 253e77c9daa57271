// Drag-and-drop segment ordering on the rule editor. The new order is posted
// as the full list of segment ids (one transaction server-side); on failure
// the list snaps back to the last saved order.
(function () {
  "use strict";
  const list = document.getElementById("segments");
  if (!list || !window.Sortable) return;
  const state = document.getElementById("save-state");
  const csrf = () => {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };
  const ids = () => Array.from(list.querySelectorAll(".segment-card")).map((el) => Number(el.dataset.id));
  const renumber = () => {
    let n = 0;
    list.querySelectorAll(".segment-card:not(.is-fallback) .pos").forEach((el) => { el.textContent = String(++n); });
  };
  let saved = ids();
  const say = (text, cls) => { if (state) { state.textContent = text; state.className = "save-state " + (cls || ""); } };

  Sortable.create(list, {
    handle: ".handle",
    draggable: ".segment-card:not(.is-fallback)",
    filter: ".is-fallback",
    animation: 150,
    // Nothing may be dropped below the fallback: it is pinned last.
    onMove: (evt) => !(evt.related.classList.contains("is-fallback") && evt.willInsertAfter),
    onEnd: async () => {
      const order = ids();
      if (order.join() === saved.join()) return;
      renumber();
      say("Saving order…");
      try {
        const res = await fetch(list.dataset.reorderUrl, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
          body: JSON.stringify({ order: order }),
          credentials: "same-origin",
        });
        const data = await res.json().catch(() => ({}));
        if (!res.ok) throw new Error((data.errors && JSON.stringify(data.errors)) || res.statusText);
        saved = data.order;
        say("Order saved · version " + data.version, "ok");
      } catch (err) {
        // Put the cards back the way the server has them.
        saved.forEach((id) => list.appendChild(list.querySelector('.segment-card[data-id="' + id + '"]')));
        renumber();
        say("Could not save the order: " + err.message, "ko");
      }
    },
  });
})();
