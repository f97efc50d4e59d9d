// Filters behind a "Filter" button on small screens (GOV.UK's "filter a list" pattern), as
// progressive enhancement: without JavaScript, and on wider screens, the filters are shown.
// On a phone they were about 2,500 px of checkboxes before the first result.
const narrow = window.matchMedia("(max-width: 40.0525em)"); // GOV.UK's tablet breakpoint

for (const place of document.querySelectorAll("[data-filter-toggle]")) {
  const panel = document.getElementById(place.dataset.filterToggle);
  if (!panel) continue;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-4";
  button.textContent = "Filter";
  button.setAttribute("aria-controls", panel.id);
  const show = (open) => {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
  };
  button.addEventListener("click", () => show(panel.hidden));
  const fit = () => {
    if (narrow.matches) {
      if (!button.isConnected) place.append(button);
      show(false);
    } else {
      button.remove();
      panel.hidden = false;
    }
  };
  narrow.addEventListener("change", fit);
  fit();
}
