// Small page behaviours, kept out of the HTML so the Content-Security-Policy can forbid
// inline scripts: a <select data-autosubmit> sends its form when changed, and a button
// with data-copy-from="<id>" copies that field's text (its label becomes data-copied).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-copy-from]") : null;
  if (!button) {
    return;
  }
  var area = document.getElementById(button.dataset.copyFrom);
  if (!area) {
    return;
  }
  area.select();
  var copied = navigator.clipboard
    ? navigator.clipboard.writeText(area.value)
    : Promise.resolve(document.execCommand("copy"));
  copied.then(function () {
    button.textContent = button.dataset.copied;
  });
});
