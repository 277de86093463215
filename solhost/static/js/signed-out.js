// The signed-out page (OpenID Connect Front-Channel Logout): once every service's hidden
// frame has loaded, which the page's own load event waits for, follows the "Continue to"
// link to the service that asked to have the resident back. A service that never answers
// holds the resident here a few seconds at most. Without this file the resident follows
// the link.
(function () {
  "use strict";

  var link = document.querySelector("a[data-continue-after-sign-out]");
  if (!link) {
    return;
  }
  var followed = false;
  function follow() {
    if (!followed) {
      followed = true;
      window.location.assign(link.href);
    }
  }
  if (document.readyState === "complete") {
    follow();
  } else {
    window.addEventListener("load", follow);
  }
  window.setTimeout(follow, 5000);
})();
