// Segment ordering on the rule editor: drag and drop, or the Move up / Move down
// buttons on each card (the keyboard way). Either posts the full list of segment
// ids (one transaction server-side); on failure the list snaps back to the last
// saved order. The answer carries the rule's new version for the header badge
// (in "Edit as draft" mode, the draft's new change count instead).
(function () {
  "use strict";
  const list = document.getElementById("segments");
  if (!list) return;
  const state = document.getElementById("save-state");
  const badge = document.getElementById("rule-version");
  const csrf = () => {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };
  const cards = () => Array.from(list.querySelectorAll(".segment-card"));
  const ids = () => cards().map((el) => Number(el.dataset.id));
  const movable = () => cards().filter((el) => !el.classList.contains("is-fallback"));
  const refresh = () => {
    const items = movable();
    items.forEach((el, i) => {
      el.querySelector(".pos").textContent = String(i + 1);
      const up = el.querySelector('[data-move="up"]');
      const down = el.querySelector('[data-move="down"]');
      if (up) up.disabled = i === 0;
      if (down) down.disabled = i === items.length - 1;
    });
  };
  let saved = ids();
  const say = (text, cls) => { if (state) { state.textContent = text; state.className = "save-state " + (cls || ""); } };

  async function save() {
    const order = ids();
    if (order.join() === saved.join()) return;
    refresh();
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
      if (data.draft_changes !== undefined) {
        // Edit as draft: the live version did not change; the draft's count did.
        const count = document.getElementById("draft-changes");
        const n = data.draft_changes;
        if (count) count.textContent = "Draft: " + n + (n === 1 ? " change" : " changes");
        say("Order saved in the draft", "ok");
        return;
      }
      if (badge && data.version !== undefined) badge.textContent = "v" + data.version;
      say("Order saved · version " + data.version, "ok");
    } catch (err) {
      // Put the cards back the way the server has them.
      saved.forEach((id) => list.appendChild(list.querySelector('.segment-card[data-id="' + id + '"]')));
      refresh();
      say("Could not save the order: " + err.message, "ko");
    }
  }

  list.addEventListener("click", (ev) => {
    const button = ev.target.closest("[data-move]");
    if (!button) return;
    const card = button.closest(".segment-card");
    const items = movable();
    const i = items.indexOf(card);
    const j = button.dataset.move === "up" ? i - 1 : i + 1;
    if (i < 0 || j < 0 || j >= items.length) return; // the fallback stays last
    if (j < i) list.insertBefore(card, items[j]);
    else list.insertBefore(card, items[j].nextSibling);
    refresh();
    // Keep the keyboard where it was; if that button is now disabled, use the other.
    const other = card.querySelector(button.dataset.move === "up" ? '[data-move="down"]' : '[data-move="up"]');
    (button.disabled ? other : button).focus();
    save();
  });
  refresh();

  if (!window.Sortable) return;
  Sortable.create(list, {
    handle: ".handle",
    draggable: ".segment-card:not(.is-fallback)",
    filter: ".is-fallback",
    animation: 150,
    // Nothing may be dropped below the fallback: it is pinned last.
    onMove: (evt) => !(evt.related.classList.contains("is-fallback") && evt.willInsertAfter),
    onEnd: save,
  });
})();
