// Progressive enhancement for the goal form: filter the framework items while typing.
// Without this file the "Zoeken" button filters on the server.
(() => {
  const input = document.querySelector("[data-filter-items]");
  if (!input) return;
  const filter = () => {
    const needle = input.value.trim().toLowerCase();
    document.querySelectorAll("[data-framework]").forEach((framework) => {
      let hits = 0;
      framework.querySelectorAll("[data-item-group]").forEach((group) => {
        const head = group.querySelector(".framework-head");
        const headHit = !needle || head.dataset.item.includes(needle);
        let groupHits = headHit ? 1 : 0;
        group.querySelectorAll("li.framework-item").forEach((item) => {
          const ticked = item.querySelector("input").checked;
          const show = headHit || ticked || item.dataset.item.includes(needle);
          item.hidden = !show;
          if (show) groupHits += 1;
        });
        group.hidden = groupHits === 0 && !head.querySelector("input").checked;
        hits += groupHits;
      });
      if (needle && hits > 0) framework.open = true;
    });
  };
  input.addEventListener("input", filter);
})();
