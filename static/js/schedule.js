/* Programme pages (lobby, schedule, session page): the favourite toggles and the
   pushes about favourite sessions (session_updated, session_starting). */
(function () {
  "use strict";
  const X = window.Exhibition;
  if (!X) return;
  const stringsNode = document.querySelector("[data-schedule-strings]");
  const status = document.querySelector("[data-schedule-status]");
  const strings = stringsNode ? stringsNode.dataset : {};

  function say(text) {
    if (status) status.textContent = text;
  }
  function fill(template, session) {
    return (template || "{title}").replace("{title}", session.title);
  }

  function setPressed(sessionId, pressed) {
    document.querySelectorAll('[data-favourite-toggle][data-session-id="' + sessionId + '"]')
      .forEach((b) => b.setAttribute("aria-pressed", pressed ? "true" : "false"));
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-favourite-toggle]");
    if (!button || button.disabled) return;
    const id = button.dataset.sessionId;
    const adding = button.getAttribute("aria-pressed") !== "true";
    button.disabled = true;
    try {
      await X.api(adding ? "PUT" : "DELETE", "/api/me/agenda/" + encodeURIComponent(id));
      setPressed(id, adding);
      say(adding ? strings.added : strings.removed);
    } catch (err) {
      say((strings.error || X.t("Error:")) + " " + err.message);
    } finally {
      button.disabled = false;
      button.focus();
    }
  });

  if (X.socket) {
    X.socket.on("session_starting", (session) => say(fill(strings.starting, session)));
    X.socket.on("session_updated", (session) => {
      say(fill(session.deleted ? strings.deleted : strings.updated, session));
      if (session.deleted) setPressed(session.id, false);
    });
  }
})();
