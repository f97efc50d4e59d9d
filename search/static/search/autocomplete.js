// Autocomplete for the search box, as progressive enhancement: a native <datalist> filled
// with the titles /search/suggest/ offers this user. Without JavaScript the form still works.
const input = document.querySelector("input[data-suggest-url]");
if (input) {
  const list = document.createElement("datalist");
  list.id = `${input.id}-suggestions`;
  input.after(list);
  input.setAttribute("list", list.id);
  let timer;
  let controller;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = input.value.trim();
      if (text.length < 2) {
        list.replaceChildren();
        return;
      }
      controller?.abort();
      controller = new AbortController();
      try {
        const url = `${input.dataset.suggestUrl}?q=${encodeURIComponent(text)}`;
        const response = await fetch(url, { signal: controller.signal, credentials: "same-origin" });
        if (!response.ok) return;
        const { suggestions } = await response.json();
        list.replaceChildren(
          ...suggestions.map((item) => {
            const option = document.createElement("option");
            option.value = item.title;
            return option;
          }),
        );
      } catch {
        // A failed suggestion never gets in the way of typing.
      }
    }, 150);
  });
}
