// The booking card of a meeting segment: show the fields that fit the outcome
// (qualified / disqualified) and the logic; hidden fields are not sent as a booking.
(function () {
  const root = document.querySelector("[data-booking-fields]");
  if (!root) return;
  const outcome = () => (root.querySelector('input[name="outcome"]:checked') || {}).value || "qualified";
  const logic = root.querySelector('select[name="logic"]');
  function sync() {
    root.querySelectorAll("[data-when]").forEach((el) => { el.hidden = el.dataset.when !== outcome(); });
    root.querySelectorAll("[data-logic]").forEach((el) => { el.hidden = el.dataset.logic !== logic.value; });
    root.querySelectorAll("[data-not-logic]").forEach((el) => { el.hidden = el.dataset.notLogic === logic.value; });
  }
  root.addEventListener("change", sync);
  sync();
})();
