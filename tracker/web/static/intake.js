// The intake table: a barcode scanner types a serial or a tag then Enter. Enter in those cells
// moves to the next line instead of sending the whole form half-filled; the row count follows
// the lines added by "more lines".
const form = document.querySelector("form[action='/atelier/dons/nouveau']");
const rowCount = document.getElementById("row-count");

form?.addEventListener("keydown", (event) => {
  const field = event.target;
  if (event.key !== "Enter" || !field.matches("[data-scan-field]")) return;
  event.preventDefault();
  const cell = field.closest("td");
  const column = Array.from(cell.parentElement.children).indexOf(cell);
  const next = cell.parentElement.nextElementSibling;
  const target = next?.children[column]?.querySelector("input, select");
  if (target) target.focus();
  else document.getElementById("more-rows")?.focus();
});

document.body.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.target?.id !== "unit-rows") return;
  const rows = document.querySelectorAll("#unit-rows tr");
  if (rowCount) rowCount.value = rows.length;
  rows[rows.length - 5]?.querySelector("select, input")?.focus();
});

// "More lines" asks for the lines after the ones on the page.
document.body.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.elt?.id === "more-rows") {
    event.detail.parameters.start = document.querySelectorAll("#unit-rows tr").length;
  }
});

// After a refusal, the keyboard starts at the first field to correct.
form?.querySelector("[aria-invalid=true]")?.focus();
