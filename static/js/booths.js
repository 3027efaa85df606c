/* Booth pages: the edit form (PATCH via the JSON API) and live staff online state.
   The hall's search and the contact form work without this script. */
(function () {
  "use strict";
  const X = window.Exhibition;
  if (!X) return;

  function list(value) {
    return value.split(",").map((s) => s.trim()).filter(Boolean);
  }

  const form = document.querySelector("[data-booth-edit]");
  if (form) {
    const status = form.querySelector("[data-edit-status]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const f = form.elements;
      const body = {
        name: f.name.value, tagline: f.tagline.value, description: f.description.value,
        topics: list(f.topics.value), website: f.website.value, video_url: f.video_url.value,
        logo_url: f.logo_url.value,
      };
      status.textContent = "";
      try {
        const booth = await X.api("PATCH", "/api/booths/" + encodeURIComponent(form.dataset.slug), body);
        status.textContent = X.t("Saved.");
        const name = document.querySelector("[data-booth-name]");
        if (name) name.textContent = booth.name;
        const tagline = document.querySelector("[data-booth-tagline]");
        if (tagline) tagline.textContent = booth.tagline;
      } catch (err) {
        status.textContent = X.t("Could not save:") + " " + err.message;
      }
    });
  }

  /* Live "visitors now": the booth's chat panel tells how many people are in its room. */
  const visitors = document.querySelector("[data-visitors-now][data-room]");
  if (visitors) {
    document.addEventListener("exhibition:present", (event) => {
      const detail = event.detail || {};
      if (detail.room !== visitors.dataset.room || typeof detail.count !== "number") return;
      visitors.dataset.visitorsNow = String(detail.count);
      visitors.textContent = X.tn("{n} visitor at this booth now", "{n} visitors at this booth now", detail.count);
    });
  }

  /* Live online state of the staff: the chat's presence events name who joined or left. */
  const staff = document.querySelector("[data-booth-staff]");
  if (staff && X.socket) {
    const labels = { on: X.t("online"), off: X.t("offline") };
    X.socket.on("presence", (event) => {
      if (!event || !event.user) return;
      const item = staff.querySelector('[data-staff-id="' + Number(event.user.id) + '"]');
      if (!item) return;
      const online = event.status === "joined";
      item.dataset.online = online ? "true" : "false";
      const label = item.querySelector("[data-online-label]");
      if (label) {
        label.textContent = online ? labels.on : labels.off;
        label.className = "online-state " + (online ? "on" : "off");
      }
    });
  }
})();
