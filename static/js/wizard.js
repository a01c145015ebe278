// Progressive enhancement for the wizard; every step also works as a plain page.
(function () {
  "use strict";

  // Before a step is submitted, record its answer in the current history entry, so that the
  // browser's Back button returns to this step with the answer still selected.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.dataset.step) return;
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (name !== "from" && name !== "csrfmiddlewaretoken") params.append(name, value);
    });
    params.append("step", form.dataset.step);
    history.replaceState(history.state, "", location.pathname + "?" + params.toString());
  });

  // After a swap, move focus to the new question's heading (screen readers read it out).
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "wizard") {
      var heading = document.getElementById("question-heading");
      if (heading) heading.focus({ preventScroll: false });
    }
  });
})();
