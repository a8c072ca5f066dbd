// Hongling page behaviour (no inline scripts: the CSP forbids them).
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  var msg = form.getAttribute && form.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) {
    ev.preventDefault();
  }
}, true);
