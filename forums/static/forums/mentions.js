// @mention autocomplete for the forums' post textareas, as progressive enhancement: without
// JavaScript a member types the handle in full and the server links it (or warns about it).
//
// Typing "@" and two or more letters asks /forums/mentions/ (members only, at most eight
// members) and lists them under the textarea. The textarea keeps its own role, as a textarea
// may not be a combobox: it gets aria-autocomplete="list", aria-controls and, while an option is
// chosen with the arrow keys, aria-activedescendant; a status region says how many members were
// found. Up and Down choose, Enter or Tab insert the handle, Escape closes the list.
const MENTION_BEFORE_CARET = /(?:^|[^\w@])@([a-z0-9][a-z0-9-]{1,59})$/i;
const DELAY_MS = 150;

document.querySelectorAll("textarea[data-mention-url]").forEach(enhance);

function enhance(textarea) {
  const list = document.createElement("ul");
  list.id = `${textarea.id}-mentions`;
  list.className = "kx-mentions govuk-body";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Members you can mention");
  list.hidden = true;
  const status = document.createElement("div");
  status.className = "govuk-visually-hidden";
  status.setAttribute("role", "status");
  textarea.after(list, status);
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", list.id);

  const found = new Map(); // Query text -> members, so that backspacing asks nothing again.
  let members = [];
  let active = -1;
  let mentionStart = 0;
  let timer;
  let controller;

  function close() {
    list.hidden = true;
    list.replaceChildren();
    members = [];
    active = -1;
    textarea.removeAttribute("aria-activedescendant");
  }

  // The "@name" being typed just before the caret, if any.
  function mentionAtCaret() {
    if (textarea.selectionStart !== textarea.selectionEnd) return null;
    const before = textarea.value.slice(0, textarea.selectionStart);
    const match = MENTION_BEFORE_CARET.exec(before);
    if (!match) return null;
    return { text: match[1], start: before.length - match[1].length - 1 };
  }

  function setActive(index) {
    active = index;
    list.querySelectorAll("[role=option]").forEach((option, n) => {
      const chosen = n === index;
      option.setAttribute("aria-selected", String(chosen));
      option.classList.toggle("kx-mentions__option--active", chosen);
      if (chosen) {
        textarea.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    });
  }

  function show(text, results) {
    members = results;
    active = -1;
    textarea.removeAttribute("aria-activedescendant");
    // Built with textContent only: a member's name is never parsed as HTML.
    list.replaceChildren(
      ...results.map((member, index) => {
        const option = document.createElement("li");
        option.id = `${list.id}-${index}`;
        option.className = "kx-mentions__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        const detail = document.createElement("span");
        detail.className = "kx-mentions__detail";
        detail.textContent = ` @${member.handle}, ${member.organisation}`;
        option.append(member.name || `@${member.handle}`, detail);
        option.addEventListener("click", () => choose(index));
        return option;
      }),
    );
    list.hidden = results.length === 0;
    status.textContent = results.length
      ? `${results.length} member${results.length === 1 ? "" : "s"} found. Use the up and down arrows to choose one, then Enter.`
      : `No members found for @${text}.`;
  }

  function choose(index) {
    const member = members[index];
    const end = textarea.selectionStart;
    const insert = `@${member.handle} `;
    textarea.value = textarea.value.slice(0, mentionStart) + insert + textarea.value.slice(end);
    const caret = mentionStart + insert.length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    close();
    status.textContent = `@${member.handle} added.`;
  }

  async function lookup(text) {
    const key = text.toLowerCase();
    if (!found.has(key)) {
      controller?.abort();
      controller = new AbortController();
      try {
        const url = `${textarea.dataset.mentionUrl}?q=${encodeURIComponent(text)}`;
        const response = await fetch(url, {
          signal: controller.signal,
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (!response.ok) return close();
        found.set(key, (await response.json()).members);
      } catch {
        return; // An aborted or failed lookup never gets in the way of typing.
      }
    }
    // Only if the member is still typing this name.
    if (mentionAtCaret()?.text.toLowerCase() === key) show(text, found.get(key));
  }

  textarea.addEventListener("input", () => {
    clearTimeout(timer);
    const mention = mentionAtCaret();
    if (!mention) return close();
    mentionStart = mention.start;
    timer = setTimeout(() => lookup(mention.text), DELAY_MS);
  });

  textarea.addEventListener("keydown", (event) => {
    if (list.hidden || !members.length) return;
    if (event.key === "ArrowDown") {
      setActive((active + 1) % members.length);
    } else if (event.key === "ArrowUp") {
      setActive(active <= 0 ? members.length - 1 : active - 1);
    } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
      choose(active);
    } else if (event.key === "Escape") {
      close();
    } else {
      return;
    }
    event.preventDefault();
  });

  // A click on an option must not take the focus from the textarea first.
  list.addEventListener("mousedown", (event) => event.preventDefault());
  textarea.addEventListener("blur", close);
  textarea.addEventListener("click", () => {
    if (!mentionAtCaret()) close();
  });
}
