// Progressive enhancement: a search field ([data-search-field]) becomes a WAI-ARIA combobox that
// fetches matches as you type and keeps the chosen id in the field's hidden input. Without this
// file the field's "Zoek" button shows the matches on the server as a short select.
(() => {
  const DELAY_MS = 200;

  const enhance = (field) => {
    const input = field.querySelector("[data-search-input]");
    const hidden = field.querySelector("[data-search-id]");
    if (!input || !hidden) return; // the no-JavaScript matches select is already on the page
    const button = field.querySelector("[data-search-button]");
    if (button) button.hidden = true;
    const text = (name, values) =>
      Object.entries(values || {}).reduce(
        (message, [key, value]) => message.replace(`{${key}}`, value),
        field.dataset[name] || "",
      );

    const listbox = document.createElement("ul");
    listbox.id = `${input.id}-listbox`;
    listbox.className = "search-listbox";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-labelledby", `${input.id}-label`);
    listbox.hidden = true;
    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", listbox);
    field.append(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);

    let results = [];
    let active = -1;
    let timer = null;
    let asked = 0;

    const options = () => Array.from(listbox.querySelectorAll("[role=option]"));
    const close = () => {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    };
    const highlight = (index) => {
      const all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    };
    const choose = (index) => {
      const result = results[index];
      if (!result) return;
      hidden.value = String(result.id);
      input.value = result.label;
      close();
      status.textContent = text("textChosen", { label: result.label });
    };
    const show = (data) => {
      results = data.results || [];
      listbox.replaceChildren(
        ...results.map((result, index) => {
          const option = document.createElement("li");
          option.id = `${listbox.id}-${index}`;
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          option.textContent = result.label;
          // mousedown, not click: the input keeps the focus (no blur closing the list first).
          option.addEventListener("mousedown", (event) => {
            event.preventDefault();
            choose(index);
          });
          return option;
        }),
      );
      active = -1;
      input.removeAttribute("aria-activedescendant");
      const open = results.length > 0;
      listbox.hidden = !open;
      input.setAttribute("aria-expanded", String(open));
      if (!results.length) status.textContent = text("textNone");
      else if (data.more) status.textContent = text("textMore", { n: results.length });
      else status.textContent = text("textCount", { n: results.length });
    };
    const fetchMatches = () => {
      asked += 1;
      const mine = asked;
      const url = new URL(field.dataset.searchUrl, window.location.href);
      url.searchParams.set("q", input.value.trim());
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then((data) => {
          if (mine === asked) show(data);
        })
        .catch(() => {
          if (mine === asked) {
            close();
            status.textContent = text("textFailed");
          }
        });
    };

    input.addEventListener("input", () => {
      hidden.value = ""; // typed text is not a choice until an option is chosen
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchMatches, DELAY_MS);
    });
    input.addEventListener("keydown", (event) => {
      const open = !listbox.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (open) highlight(active + 1);
        else fetchMatches();
      } else if (event.key === "ArrowUp") {
        if (open) {
          event.preventDefault();
          highlight(active - 1);
        }
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault(); // choose, don't submit the form
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          hidden.value = "";
        }
      }
    });
    input.addEventListener("blur", () => close());
  };

  document.querySelectorAll("[data-search-field]").forEach(enhance);
})();
