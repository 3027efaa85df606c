/* Organiser console (/admin): sessions, schedule import, booths, staff, announcements.
   Everything goes through the JSON API with the CSRF header (Exhibition.api). */
(function () {
  "use strict";
  const X = window.Exhibition;
  const root = document.querySelector("[data-admin-console]");
  if (!X || !root) return;
  const { api, el, formatTime, t } = X;
  const tz = root.dataset.timezoneName;
  const statusBox = root.querySelector("[data-admin-status]");
  let booths = [];

  function say(text) { statusBox.textContent = text; }
  function fail(err) { say(t("Error:") + " " + err.message); }
  const list = (value) => value.split(",").map((s) => s.trim()).filter(Boolean);

  /* datetime-local values are wall time in the event's zone (Exhibition.wallTimeToDate) */
  function localToIso(value) {
    const [datePart, timePart] = value.split("T");
    return X.wallTimeToDate(datePart, timePart, tz).toISOString();
  }
  function isoToLocal(iso) {
    const wall = X.dateToWallTime(iso, tz);
    return wall.date + "T" + wall.time;
  }
  function when(s) {
    return formatTime(s.starts_at, { weekday: "short", day: "numeric", month: "short", timeZone: tz }) +
      "–" + formatTime(s.ends_at, { timeZone: tz });
  }

  function button(label, className, onClick, extra) {
    const b = el("button", Object.assign({ type: "button", className: "button small " + (className || ""), text: label }, extra || {}));
    b.addEventListener("click", onClick);
    return b;
  }
  const ROLES = { attendee: t("attendee"), staff: t("staff"), organiser: t("organiser") };
  const roleName = (role) => (Object.prototype.hasOwnProperty.call(ROLES, role) ? ROLES[role] : role);
  function emptyRow(cols) { return el("tr", {}, el("td", { colspan: cols, className: "muted", text: t("Nothing here yet.") })); }

  /* ---- sessions ---- */
  const sessionBody = root.querySelector("[data-admin-sessions]");
  const sessionForm = root.querySelector("[data-session-form]");
  const sessionHeading = root.querySelector("[data-session-form-heading]");

  async function loadSessions() {
    try {
      const data = await api("GET", "/api/sessions");
      const rows = data.sessions.map((s) => el("tr", { "data-session-id": s.id },
        el("td", { text: when(s) }), el("td", { text: s.title }), el("td", { text: s.room || "" }),
        el("td", {}, button(t("Edit"), "secondary", () => editSession(s), { "aria-label": t("Edit") + ": " + s.title }), " ",
          button(t("Delete"), "danger", () => deleteSession(s), { "aria-label": t("Delete") + ": " + s.title }))));
      sessionBody.replaceChildren(...(rows.length ? rows : [emptyRow(4)]));
    } catch (err) { sessionBody.replaceChildren(emptyRow(4)); fail(err); }
  }
  function editSession(s) {
    const f = sessionForm.elements;
    f.id.value = s.id; f.title.value = s.title; f.abstract.value = s.abstract || "";
    f.starts_at.value = isoToLocal(s.starts_at); f.ends_at.value = isoToLocal(s.ends_at);
    f.room.value = s.room || ""; f.track.value = s.track || ""; f.speakers.value = (s.speakers || []).join(", ");
    f.booth_slug.value = s.booth_slug || "";
    sessionHeading.textContent = t("Edit session");
    f.title.focus();
  }
  async function deleteSession(s) {
    if (!window.confirm(t("Really delete this? It cannot be undone.") + "\n" + s.title)) return;
    try { await api("DELETE", "/api/sessions/" + s.id); say(t("Deleted.")); loadSessions(); } catch (err) { fail(err); }
  }
  sessionForm.addEventListener("reset", () => { sessionForm.elements.id.value = ""; sessionHeading.textContent = t("New session"); });
  sessionForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = sessionForm.elements;
    if (!f.title.value.trim() || !f.starts_at.value || !f.ends_at.value) { say(t("Error:") + " " + f.title.labels[0].textContent); return; }
    const body = { title: f.title.value, abstract: f.abstract.value, starts_at: localToIso(f.starts_at.value),
      ends_at: localToIso(f.ends_at.value), room: f.room.value, track: f.track.value,
      speakers: list(f.speakers.value), booth_slug: f.booth_slug.value || null };
    try {
      if (f.id.value) await api("PATCH", "/api/sessions/" + f.id.value, body);
      else await api("POST", "/api/sessions", body);
      say(t("Saved.")); sessionForm.reset(); loadSessions();
    } catch (err) { fail(err); }
  });

  const importForm = root.querySelector("[data-import-form]");
  importForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = importForm.elements.file.files[0];
    if (!file) return;
    const data = new FormData();
    data.append("file", file);
    const meta = document.querySelector('meta[name="csrf-token"]');
    try {
      const response = await fetch("/api/sessions/import", { method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": meta ? meta.content : "", "Accept": "application/json" } });
      const json = await response.json().catch(() => null);
      if (!response.ok) throw new Error(X.errorText(json && json.error && json.error.code, json && json.error && json.error.message));
      say(t("Import done. Created: {created}, updated: {updated}.", { created: json.created, updated: json.updated }));
      importForm.reset(); loadSessions();
    } catch (err) { fail(err); }
  });

  /* ---- booths ---- */
  const boothBody = root.querySelector("[data-admin-booths]");
  const boothForm = root.querySelector("[data-booth-form]");
  const boothHeading = root.querySelector("[data-booth-form-heading]");

  function fillBoothSelects() {
    root.querySelectorAll("[data-booth-select]").forEach((select) => {
      const current = select.value;
      const first = select.options[0];
      select.replaceChildren(first, ...booths.map((b) => el("option", { value: b.slug, text: b.name })));
      select.value = booths.some((b) => b.slug === current) ? current : "";
    });
  }
  async function loadBooths() {
    try {
      booths = (await api("GET", "/api/booths")).booths;
      const rows = booths.map((b) => el("tr", { "data-booth-slug": b.slug },
        el("td", {}, el("a", { href: "/booths/" + encodeURIComponent(b.slug), text: b.name })),
        el("td", { text: "/booths/" + b.slug }), el("td", { text: (b.topics || []).join(", ") }),
        el("td", {}, button(t("Edit"), "secondary", () => editBooth(b.slug), { "aria-label": t("Edit") + ": " + b.name }), " ",
          button(t("Delete"), "danger", () => deleteBooth(b), { "aria-label": t("Delete") + ": " + b.name }))));
      boothBody.replaceChildren(...(rows.length ? rows : [emptyRow(4)]));
      fillBoothSelects();
    } catch (err) { boothBody.replaceChildren(emptyRow(4)); fail(err); }
  }
  async function editBooth(slug) {
    try {
      const b = await api("GET", "/api/booths/" + encodeURIComponent(slug));
      const f = boothForm.elements;
      f.original_slug.value = b.slug; f.slug.value = b.slug; f.slug.disabled = true;
      f.name.value = b.name; f.tagline.value = b.tagline || ""; f.description.value = b.description || "";
      f.topics.value = (b.topics || []).join(", "); f.website.value = b.website || ""; f.video_url.value = b.video_url || "";
      boothHeading.textContent = t("Edit booth");
      f.name.focus();
    } catch (err) { fail(err); }
  }
  async function deleteBooth(b) {
    if (!window.confirm(t("Really delete this? It cannot be undone.") + "\n" + b.name)) return;
    try { await api("DELETE", "/api/booths/" + encodeURIComponent(b.slug)); say(t("Deleted.")); loadBooths(); } catch (err) { fail(err); }
  }
  boothForm.addEventListener("reset", () => {
    boothForm.elements.original_slug.value = ""; boothForm.elements.slug.disabled = false; boothHeading.textContent = t("New booth");
  });
  boothForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = boothForm.elements;
    const body = { name: f.name.value, tagline: f.tagline.value, description: f.description.value,
      topics: list(f.topics.value), website: f.website.value, video_url: f.video_url.value };
    try {
      if (f.original_slug.value) await api("PATCH", "/api/booths/" + encodeURIComponent(f.original_slug.value), body);
      else {
        if (f.slug.value.trim()) body.slug = f.slug.value.trim();
        await api("POST", "/api/booths", body);
      }
      say(t("Saved.")); boothForm.reset(); loadBooths();
    } catch (err) { fail(err); }
  });

  /* ---- staff ---- */
  const staffBooth = root.querySelector("[data-staff-booth]");
  const staffList = root.querySelector("[data-staff-list]");
  const lookup = root.querySelector("[data-staff-lookup]");
  const results = root.querySelector("[data-staff-results]");

  async function loadStaff() {
    const slug = staffBooth.value;
    if (!slug) { staffList.replaceChildren(); return; }
    try {
      const b = await api("GET", "/api/booths/" + encodeURIComponent(slug));
      const items = (b.staff || []).map((u) => el("li", { "data-staff-user-id": u.id },
        el("span", { className: "online-dot" + (u.online ? " on" : ""), title: u.online ? t("online") : "" }),
        el("strong", { text: u.display_name }), u.organisation ? " (" + u.organisation + ") " : " ",
        button(t("Remove"), "secondary", () => setStaff("DELETE", u.id), { "aria-label": t("Remove") + ": " + u.display_name })));
      staffList.replaceChildren(...(items.length ? items : [el("li", { className: "muted", text: t("Nothing here yet.") })]));
    } catch (err) { fail(err); }
  }
  async function setStaff(method, userId) {
    const slug = staffBooth.value;
    if (!slug) { say(t("Choose a booth first.")); return; }
    try {
      await api(method, "/api/booths/" + encodeURIComponent(slug) + "/staff/" + userId);
      say(t("Saved.")); loadStaff();
    } catch (err) { fail(err); }
  }
  staffBooth.addEventListener("change", loadStaff);
  lookup.addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = lookup.elements.q.value.trim();
    if (!q) return;
    try {
      const data = await api("GET", "/api/admin/users?q=" + encodeURIComponent(q));
      const items = data.users.map((u) => el("li", { "data-lookup-user-id": u.id },
        el("strong", { text: u.display_name }), " <" + u.email + "> · " + roleName(u.role) + " · #" + u.id + " ",
        button(t("Assign to booth"), "", () => setStaff("PUT", u.id), { "aria-label": t("Assign to booth") + ": " + u.display_name })));
      results.replaceChildren(...(items.length ? items : [el("li", { className: "muted", text: t("Nobody found.") })]));
    } catch (err) { fail(err); }
  });

  /* ---- announcements ---- */
  const announce = root.querySelector("[data-announcement-form]");
  announce.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = announce.elements.body.value.trim();
    if (!body) return;
    try { await api("POST", "/api/announcements", { body }); say(t("Announcement sent.")); announce.reset(); } catch (err) { fail(err); }
  });

  loadBooths();
  loadSessions();
})();
