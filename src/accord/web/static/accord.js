/* Accord — small progressive enhancements. No framework.
 *
 * 1. Marks <html> with .js (CSS uses it for the off-canvas navigation).
 * 2. Sends the CSRF token with every htmx request (header X-CSRF-Token),
 *    read from <meta name="csrf-token" content="...">.
 * 3. Toggles the left navigation on narrow screens (button[data-nav-toggle]
 *    with aria-expanded; Escape, the scrim or [data-nav-close] close it).
 * 4. "/" focuses the global search (#global-search) unless you are typing.
 * 5. Dismissible flash messages ([data-dismiss]) and a thin progress bar
 *    while htmx requests run.
 * 6. After htmx appends a page of items ("Show more"), focus moves to the
 *    first new one ([data-autofocus]), so keyboard users continue from there.
 *
 * Loaded synchronously in <head> so .js is set before first paint; everything
 * touching the page waits for DOMContentLoaded or uses event delegation.
 */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  /* --- CSRF for htmx ------------------------------------------------------ */
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token && event.detail && event.detail.headers) {
      event.detail.headers["X-CSRF-Token"] = token;
    }
  });

  /* --- Progress bar while htmx works -------------------------------------- */
  var inFlight = 0;
  function setLoading(delta) {
    inFlight = Math.max(0, inFlight + delta);
    root.classList.toggle("is-loading", inFlight > 0);
  }
  document.addEventListener("htmx:beforeRequest", function () { setLoading(1); });
  document.addEventListener("htmx:afterRequest", function () { setLoading(-1); });

  /* --- Focus the first item htmx just added ---------------------------------- */
  document.addEventListener("htmx:afterSettle", function () {
    var first = document.querySelector("[data-autofocus]");
    if (first) {
      first.removeAttribute("data-autofocus");
      first.focus();
    }
  });

  /* --- Navigation drawer on narrow screens -------------------------------- */
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 900px)") : null;

  function toggles() {
    return document.querySelectorAll("[data-nav-toggle]");
  }

  function isOpen() {
    return root.getAttribute("data-nav") === "open";
  }

  function setNav(open, returnFocus) {
    if (open) {
      root.setAttribute("data-nav", "open");
    } else {
      root.removeAttribute("data-nav");
    }
    Array.prototype.forEach.call(toggles(), function (button) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    if (open) {
      var current = document.querySelector('#sidebar [aria-current="page"]') ||
        document.querySelector("#sidebar a, #sidebar button");
      if (current) {
        // Wait for the drawer to become visible before moving focus.
        window.setTimeout(function () { current.focus(); }, 30);
      }
    } else if (returnFocus) {
      var first = toggles()[0];
      if (first) first.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;

    if (target.closest("[data-nav-toggle]")) {
      event.preventDefault();
      setNav(!isOpen(), false);
      return;
    }
    if (target.closest("[data-nav-close]")) {
      event.preventDefault();
      setNav(false, true);
      return;
    }
    // Following a link in the drawer closes it (the page is changing anyway).
    if (isOpen() && target.closest("#sidebar a")) {
      setNav(false, false);
    }

    var dismiss = target.closest("[data-dismiss]");
    if (dismiss) {
      var box = dismiss.closest(".flash");
      if (box) box.remove();
    }
  });

  if (narrow) {
    var onChange = function (mq) {
      if (!mq.matches && isOpen()) setNav(false, false);
    };
    if (narrow.addEventListener) {
      narrow.addEventListener("change", onChange);
    } else if (narrow.addListener) {
      narrow.addListener(onChange);
    }
  }

  /* --- Keyboard: Escape closes the drawer, "/" focuses search ------------- */
  function isTyping(element) {
    if (!element || element === document.body) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag === "INPUT") {
      var type = (element.getAttribute("type") || "text").toLowerCase();
      return ["button", "submit", "reset", "checkbox", "radio", "range", "color", "file", "image"].indexOf(type) === -1;
    }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) {
      setNav(false, true);
      return;
    }
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey) {
      if (event.defaultPrevented || isTyping(event.target) || isTyping(document.activeElement)) return;
      var search = document.getElementById("global-search");
      if (!search) return;
      event.preventDefault();
      if (isOpen()) setNav(false, false);
      search.focus();
      if (typeof search.select === "function") search.select();
    }
  });

  /* --- Initial state once the page is parsed ------------------------------ */
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(toggles(), function (button) {
      button.setAttribute("aria-expanded", isOpen() ? "true" : "false");
    });
  });
})();
