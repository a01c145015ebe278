// Progressive enhancement for the wizard; every step also works as a plain page.
(function () {
  "use strict";

  var FALLBACK = "We could not load the next question. Check your connection and try again.";

  function failureRegion() {
    return document.getElementById("wizard-failure");
  }

  // Before a step is submitted, record its answer in the current history entry, so that the
  // browser's Back button returns to this step with the answer still selected.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = failureRegion();
    if (region) region.textContent = "";
    var wizard = document.getElementById("wizard");
    if (wizard) wizard.setAttribute("aria-busy", "true");

    var form = event.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.dataset.step) return;
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (name !== "from" && name !== "csrfmiddlewaretoken") params.append(name, value);
    });
    params.append("step", form.dataset.step);
    history.replaceState(history.state, "", location.pathname + "?" + params.toString());
  });

  document.addEventListener("htmx:afterRequest", function () {
    var wizard = document.getElementById("wizard");
    if (wizard) wizard.removeAttribute("aria-busy");
  });

  // A step that cannot be loaded (offline, timed out, a server error) says so where the
  // visitor is looking; nothing was swapped, so the form and its answer stay as they were.
  function failed() {
    var region = failureRegion();
    if (region) region.textContent = region.dataset.message || FALLBACK;
  }
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:timeout", failed);
  document.addEventListener("htmx:responseError", function (event) {
    // 429 is swapped in as a page of its own (see the htmx-config meta element).
    if (event.detail.xhr && event.detail.xhr.status !== 429) failed();
  });

  // "Not sure" stands alone among the parts: ticking it clears the parts, and the other way.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox" || !box.checked) return;
    if (!box.form) return;
    var exclusive = box.hasAttribute("data-exclusive");
    box.form.querySelectorAll("input[type=checkbox]").forEach(function (other) {
      if (other !== box && other.name === box.name && other.hasAttribute("data-exclusive") !== exclusive) {
        other.checked = false;
      }
    });
  });

  // After a swap, move focus to the new question's heading (screen readers read it out).
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "wizard") {
      var heading = document.getElementById("question-heading");
      if (heading) heading.focus({ preventScroll: false });
    }
  });
})();
