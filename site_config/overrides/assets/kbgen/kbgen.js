/* The home page's big search prompt opens Material's search (kbgen's own code, not content). */
document.addEventListener("click", function (ev) {
  var prompt = ev.target.closest && ev.target.closest(".kb-hero__search");
  if (!prompt) return;
  ev.preventDefault();
  var toggle = document.querySelector("[data-md-toggle=search]");
  var input = document.querySelector("[data-md-component=search-query]");
  if (toggle) { toggle.checked = true; toggle.dispatchEvent(new Event("change")); }
  if (input) input.focus();
});
