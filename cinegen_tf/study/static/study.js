// Records how long the participant looked before answering, and stops a double click
// from sending a second answer (the server would refuse it anyway: 409).
(function () {
  var form = document.getElementById("answer-form");
  if (!form) return;
  var shownAt = Date.now();
  var sent = false;
  form.addEventListener("submit", function (event) {
    if (sent) { event.preventDefault(); return; }
    sent = true;
    form.elements["response_ms"].value = String(Date.now() - shownAt);
  });
})();
