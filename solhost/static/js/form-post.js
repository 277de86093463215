// Sends an authorization response on to the service as soon as the page has loaded
// (OAuth 2.0 Form Post Response Mode). Without this file the resident presses the
// form's button instead.
(function () {
  "use strict";

  var form = document.querySelector("form[data-form-post]");
  if (form) {
    form.submit();
  }
})();
