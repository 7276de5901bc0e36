// Progressive enhancement only: every page works without this file.
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
});
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]")) { target.form.requestSubmit(); }
});
document.addEventListener("change", function (event) {
  var target = event.target;
  if (!target.matches || !target.matches("input[data-select-all]")) { return; }
  document.querySelectorAll("input[type=checkbox][name='" + target.dataset.selectAll + "']").forEach(function (box) {
    box.checked = target.checked;
  });
});
