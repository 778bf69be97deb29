// The scan station's focus: after each answer, the keyboard (or the barcode scanner) goes where
// the person needs it next, without touching the mouse.
//   - a step form: its first field in error, or else its first field;
//   - a card (after a scan, a step or an undo): the scan field, emptied and ready for the next tag.
const scanInput = document.getElementById("scan-input");

function focusStation() {
  const station = document.getElementById("station");
  if (!station) return;
  const form = station.querySelector("form[data-focus-first]");
  if (form) {
    const target = form.querySelector("[aria-invalid=true]") ||
      form.querySelector("input:not([type=hidden]), select, textarea");
    if (target) {
      target.focus();
      return;
    }
  }
  if (station.querySelector("[data-scan-again]") && scanInput) {
    scanInput.focus();
    scanInput.select();
  }
}

document.body.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.target && event.detail.target.id === "station") focusStation();
});

// A full page (no htmx, or a reload) focuses the same way.
focusStation();

// Enter in the loan form's search for a person looks the name up at once; it does not send the
// form (the person is chosen in the list first).
document.body.addEventListener("keydown", (event) => {
  const field = event.target;
  if (event.key !== "Enter" || !(field instanceof HTMLInputElement) || field.type !== "search") return;
  if (!field.closest("#station") || !field.hasAttribute("hx-get")) return;
  event.preventDefault();
  window.htmx?.trigger(field, "search");
});

// A request that got no answer (network down, server restarting): say so, in the live notice
// area. Sending the same form again is safe: it carries its command id.
function tellLost(event) {
  const station = document.getElementById("station");
  const notices = document.getElementById("notices");
  if (!station || !notices || !station.contains(event.detail.elt)) return;
  const problem = document.createElement("p");
  problem.className = "problem";
  problem.textContent = station.dataset.lost;
  notices.replaceChildren(problem);
}
document.body.addEventListener("htmx:sendError", tellLost);
document.body.addEventListener("htmx:timeout", tellLost);
