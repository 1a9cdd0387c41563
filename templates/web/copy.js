// Copy buttons beside the IBAN and the reference: shown only where this script runs (the page
// allows no other script: its hash is in the Content-Security-Policy).
document.querySelectorAll("button.copy").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      var status = document.getElementById(button.getAttribute("aria-controls"));
      if (status) { status.textContent = button.dataset.done; }
    });
  });
});
