/* Programme pages (lobby, schedule, session page): the favourite toggles and the
   pushes about favourite sessions (session_updated, session_starting). */
(function () {
  "use strict";
  const X = window.Exhibition;
  if (!X) return;
  const t = X.t;
  const status = document.querySelector("[data-schedule-status]");

  function say(text) {
    if (status) status.textContent = text;
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
      say(adding ? t("Added to your agenda.") : t("Removed from your agenda."));
    } catch (err) {
      say(t("That did not work:") + " " + err.message);
    } finally {
      button.disabled = false;
      button.focus();
    }
  });

  if (X.socket) {
    X.socket.on("session_starting", (session) => say(t("Starting in about 5 minutes: {title}", { title: session.title })));
    X.socket.on("session_updated", (session) => {
      say(session.deleted ? t("Cancelled: {title}", { title: session.title })
        : t("Changed in your agenda: {title}", { title: session.title }));
      if (session.deleted) setPressed(session.id, false);
    });
  }
})();
