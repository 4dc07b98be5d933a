// Small behaviours on top of server-rendered pages; every page works without this file.
(function () {
  "use strict";

  // Forms marked data-confirm ask before they submit (deleting a post or topic).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // "Quote" fills the composer in place when it is on the page, instead of reloading.
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("[data-quote]") : null;
    var composer = document.querySelector("#reply textarea");
    if (!link || !composer) return;
    var post = link.closest(".post");
    var body = post && post.querySelector(".post-body");
    var author = post && post.querySelector(".post-author");
    if (!body) return;
    event.preventDefault();
    var text = (window.getSelection && String(window.getSelection()).trim()) || body.innerText.trim();
    var quoted = text.split("\n").map(function (line) { return "> " + line; }).join("\n");
    var who = author ? author.getAttribute("href").split("/").filter(Boolean).pop() : "";
    composer.value = (composer.value ? composer.value + "\n\n" : "") + quoted + (who ? "\n> — @" + who : "") + "\n\n";
    composer.focus();
    composer.scrollIntoView({ block: "center" });
  });
})();
