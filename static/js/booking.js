// The public booking page: send the browser's time zone with the lead's details, so the
// slots come back on the lead's own clock. Focus moves to each step's heading (htmx
// focuses [autofocus] after a swap; a whole-page answer does it here).
(function () {
  function zone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (e) { return "UTC"; }
  }
  function fill(root) {
    root.querySelectorAll('form[data-booking-lead] input[name="timezone"]').forEach((input) => {
      if (!input.value) input.value = zone();
    });
  }
  fill(document);
  document.body.addEventListener("htmx:afterSwap", (event) => fill(event.target));
  const heading = document.querySelector("#booking h1[autofocus]");
  if (heading) heading.focus();
})();
