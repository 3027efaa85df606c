/* "My day" (/me): profile form, agenda, meetings with live updates, meeting requests. */
(function () {
  "use strict";
  const X = window.Exhibition;
  const page = document.querySelector("[data-me-page]");
  if (!X || !page) return;
  const { api, el, formatTime, t } = X;
  const tz = page.dataset.timezoneName;
  const meetings = new Map();
  const STATUS = { pending: t("pending"), accepted: t("accepted"), declined: t("declined"), cancelled: t("cancelled") };
  const statusName = (status) => (Object.prototype.hasOwnProperty.call(STATUS, status) ? STATUS[status] : status);

  function when(m) {
    return formatTime(m.starts_at, { weekday: "short", day: "numeric", month: "short" }) +
      " – " + formatTime(m.ends_at);
  }

  /* ---- meetings ---- */
  function action(m, name, label, className) {
    const other = m.requester.id === X.userId ? m.invitee : m.requester;
    const button = el("button", { type: "button", className: "button small " + (className || ""),
      "data-meeting-action": name, "data-meeting-id": m.id, text: label,
      "aria-label": label + ": " + other.display_name + ", " + when(m) });
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        upsert(await api("POST", "/api/meetings/" + m.id + "/" + name));
      } catch (err) {
        announce(t("Something went wrong:") + " " + err.message);
        button.disabled = false;
      }
    });
    return button;
  }

  function meetingItem(m) {
    const mine = m.requester.id === X.userId;
    const other = mine ? m.invitee : m.requester;
    const item = el("li", { className: "meeting status-" + m.status, "data-meeting-id": m.id,
      "data-meeting-status": m.status },
      el("span", { className: "meeting-when", text: when(m) }), " ",
      el("strong", { text: t("with") + " " + other.display_name }),
      other.organisation ? el("span", { className: "muted", text: " (" + other.organisation + ")" }) : null,
      " ", el("span", { className: "meeting-status", text: statusName(m.status) }));
    if (m.booth_slug) item.append(" · ", el("a", { href: "/booths/" + encodeURIComponent(m.booth_slug), text: t("at booth") + " " + m.booth_slug }));
    if (m.note) item.append(el("p", { className: "meeting-note", text: m.note }));
    const actions = el("p", { className: "meeting-actions" });
    if (m.status === "accepted" && m.video_url) {
      actions.append(el("a", { className: "button small", href: m.video_url, target: "_blank", rel: "noopener noreferrer",
        "data-meeting-video": "", text: t("Join video call") }), " ");
    }
    if (m.status === "pending" && !mine) {
      actions.append(action(m, "accept", t("Accept")), " ", action(m, "decline", t("Decline"), "secondary"), " ");
    }
    if (m.status === "pending" || m.status === "accepted") actions.append(action(m, "cancel", t("Cancel meeting"), "secondary"));
    if (actions.childNodes.length) item.append(actions);
    return item;
  }

  function listFor(m) {
    if (m.status === "accepted") return "[data-meetings-accepted]";
    if (m.status === "pending") return m.requester.id === X.userId ? "[data-meetings-outgoing]" : "[data-meetings-incoming]";
    return "[data-meetings-closed]";
  }

  function render() {
    const lists = ["[data-meetings-incoming]", "[data-meetings-accepted]", "[data-meetings-outgoing]", "[data-meetings-closed]"];
    const groups = Object.fromEntries(lists.map((s) => [s, []]));
    [...meetings.values()].sort((a, b) => a.starts_at.localeCompare(b.starts_at) || a.id - b.id)
      .forEach((m) => groups[listFor(m)].push(meetingItem(m)));
    for (const selector of lists) {
      const list = page.querySelector(selector);
      if (!list) continue;
      list.replaceChildren(...(groups[selector].length ? groups[selector] : [el("li", { className: "muted", text: t("Nothing here yet.") })]));
    }
  }

  function announce(text) {
    const live = page.querySelector("[data-meetings-live]");
    if (live) live.textContent = text;
  }

  function upsert(m) {
    meetings.set(m.id, m);
    render();
  }

  async function loadMeetings() {
    try {
      const data = await api("GET", "/api/me/meetings");
      meetings.clear();
      data.meetings.forEach((m) => meetings.set(m.id, m));
      render();
    } catch (err) { announce(t("Something went wrong:") + " " + err.message); }
  }

  if (X.socket) {
    X.socket.on("meeting", (m) => {
      const other = m.requester.id === X.userId ? m.invitee : m.requester;
      upsert(m);
      announce(t("{when} with {name}: {status}", { when: when(m), name: other.display_name,
        status: statusName(m.status) }));
    });
    X.socket.on("connect", loadMeetings);  // after a reconnect, catch up on what was missed
  }

  /* ---- meeting request form ---- */
  const form = page.querySelector("[data-meeting-form]");
  if (form) {
    const status = form.querySelector("[data-meeting-form-status]");
    const warnings = form.querySelector("[data-meeting-warnings]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      warnings.hidden = true;
      warnings.replaceChildren();
      const data = new FormData(form);
      if (!data.get("invitee_id")) { status.textContent = t("Please choose a person."); return; }
      if (!data.get("date") || !data.get("time")) { status.textContent = t("Please give a date and a time."); return; }
      const start = X.wallTimeToDate(String(data.get("date")), String(data.get("time")), tz);
      const end = new Date(start.getTime() + Number(data.get("duration") || 30) * 60000);
      if (isNaN(start.getTime())) { status.textContent = t("Please give a date and a time."); return; }
      try {
        const m = await api("POST", "/api/meetings", {
          invitee_id: Number(data.get("invitee_id")), starts_at: start.toISOString(),
          ends_at: end.toISOString(), note: String(data.get("note") || ""),
        });
        upsert(m);
        status.textContent = t("Request sent.");
        if (m.warnings && m.warnings.length) {
          warnings.append(el("li", { className: "warning-title", text: t("Clashes with a session in an agenda:") }));
          m.warnings.forEach((w) => warnings.append(el("li", { "data-warning-session-id": w.session_id },
            el("strong", { text: w.title }), " (" + formatTime(w.starts_at) + "–" + formatTime(w.ends_at) + ", " +
            (w.who === "requester" ? t("yours") : t("the invited person’s")) + ")")));
          warnings.hidden = false;
        }
        form.querySelector("[name=note]").value = "";
      } catch (err) {
        status.textContent = t("Something went wrong:") + " " + err.message;
      }
    });
  }

  /* ---- agenda ---- */
  async function loadAgenda() {
    const list = page.querySelector("[data-agenda]");
    if (!list) return;
    try {
      const data = await api("GET", "/api/me/agenda");
      const items = (data.sessions || []).map((s) => {
        const remove = el("button", { type: "button", className: "link-button", text: t("Remove from agenda") });
        const item = el("li", { "data-agenda-session-id": s.id },
          el("span", { className: "meeting-when", text: formatTime(s.starts_at, { weekday: "short", day: "numeric", month: "short" }) + " – " + formatTime(s.ends_at) }),
          " ", el("strong", { text: s.title }), s.room ? el("span", { className: "muted", text: " · " + s.room }) : null, " ", remove);
        remove.addEventListener("click", async () => {
          try { await api("DELETE", "/api/me/agenda/" + s.id); item.remove(); } catch (err) { announce(err.message); }
        });
        return item;
      });
      list.replaceChildren(...(items.length ? items : [el("li", { className: "muted", text: t("Nothing here yet.") })]));
    } catch (err) {
      list.replaceChildren(el("li", { className: "muted", text: t("Something went wrong:") + " " + err.message }));
    }
  }

  /* ---- profile ---- */
  const profile = document.querySelector("[data-profile-form]");
  if (profile) {
    const status = profile.querySelector("[data-profile-status]");
    const initialLocale = profile.querySelector("[name=locale]").value;
    profile.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = (name) => profile.querySelector("[name=" + name + "]").value;
      const body = {
        display_name: value("display_name"), organisation: value("organisation"), bio: value("bio"),
        interests: value("interests").split(",").map((s) => s.trim()).filter(Boolean),
        visible_in_directory: profile.querySelector("[name=visible_in_directory]").checked,
        locale: value("locale"), timezone: value("timezone"),
      };
      try {
        await api("PATCH", "/api/me", body);
        status.textContent = t("Saved.");
        if (body.locale !== initialLocale || body.timezone !== tz) {
          window.location.assign("/me?lang=" + encodeURIComponent(body.locale) + "#profile");
        }
      } catch (err) {
        status.textContent = t("Something went wrong:") + " " + err.message;
      }
    });
  }

  loadMeetings();
  loadAgenda();
})();
