// Live refresh of the dashboard: a section whose figures changed is replaced as a whole. Keep
// what the reader had open and where the keyboard was, so a refresh never loses their place.
const kept = new Map(); // section id -> { open: [details ids], focus: index of the focused link }

function focusables(section) {
  return Array.from(section.querySelectorAll("a, summary, button, [tabindex]"));
}

document.body.addEventListener("htmx:beforeSwap", (event) => {
  const section = event.detail.target;
  if (!section?.classList?.contains("dash-section")) return;
  const open = Array.from(section.querySelectorAll("details[open]"), (d) => d.id);
  const focus = focusables(section).indexOf(document.activeElement);
  kept.set(section.id, { open, focus });
});

document.body.addEventListener("htmx:afterSettle", (event) => {
  const section = document.getElementById(event.detail.target?.id ?? "");
  const state = section && kept.get(section.id);
  if (!state) return;
  kept.delete(section.id);
  for (const id of state.open) document.getElementById(id)?.setAttribute("open", "");
  if (state.focus >= 0) focusables(section)[state.focus]?.focus({ preventScroll: true });
});
