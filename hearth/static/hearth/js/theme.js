/*
 * Hearth theme switcher.
 *
 * - Applies the stored choice (localStorage "hearth-theme": "light" | "dark")
 *   to <html data-theme>; with no stored choice the OS preference applies.
 *   The <head> of base.html does the same before first paint; this is safe
 *   to run again.
 * - Any [data-theme-toggle] button flips between light and dark, remembers
 *   the choice, and keeps its aria-pressed / aria-label up to date.
 * - Scrollable content blocks (code, wide tables) get tabindex="0" so they
 *   can be scrolled with the keyboard.
 */
(function () {
  "use strict";

  var KEY = "hearth-theme";
  var root = document.documentElement;
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function stored() {
    try {
      var value = window.localStorage.getItem(KEY);
      return value === "light" || value === "dark" ? value : null;
    } catch (e) {
      return null;
    }
  }

  function store(value) {
    try {
      window.localStorage.setItem(KEY, value);
    } catch (e) {
      /* Storage can be unavailable (private mode); the choice lasts this page. */
    }
  }

  function effective() {
    var explicit = root.dataset.theme;
    if (explicit === "light" || explicit === "dark") return explicit;
    return media && media.matches ? "dark" : "light";
  }

  function syncButtons() {
    var dark = effective() === "dark";
    var buttons = document.querySelectorAll("[data-theme-toggle]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", dark ? "true" : "false");
      buttons[i].setAttribute("aria-label", dark ? "Switch to light theme" : "Switch to dark theme");
      buttons[i].title = dark ? "Switch to light theme" : "Switch to dark theme";
    }
  }

  function apply(theme) {
    if (theme === "light" || theme === "dark") {
      root.dataset.theme = theme;
    } else {
      delete root.dataset.theme;
    }
    syncButtons();
  }

  function makeScrollersFocusable(scope) {
    var nodes = (scope || document).querySelectorAll(".prose pre, .prose table, .conduct");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      if (el.hasAttribute("tabindex")) continue;
      if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
        el.setAttribute("tabindex", "0");
      }
    }
  }

  apply(stored() || root.dataset.theme);

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-theme-toggle]") : null;
    if (!button) return;
    event.preventDefault();
    var next = effective() === "dark" ? "light" : "dark";
    store(next);
    apply(next);
  });

  if (media) {
    var onSystemChange = function () {
      if (!stored()) syncButtons();
    };
    if (media.addEventListener) media.addEventListener("change", onSystemChange);
    else if (media.addListener) media.addListener(onSystemChange);
  }

  /* Another tab changed the theme. */
  window.addEventListener("storage", function (event) {
    if (event.key === KEY) apply(stored());
  });

  function ready() {
    syncButtons();
    makeScrollersFocusable(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }

  /* Content swapped in by htmx (new replies, reaction bars). */
  document.addEventListener("htmx:afterSettle", function (event) {
    syncButtons();
    makeScrollersFocusable(event.target && event.target.querySelectorAll ? event.target : document);
  });
})();
