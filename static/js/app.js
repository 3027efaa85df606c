/* Shared for every page: CSRF-aware fetch, the page's one Socket.IO connection,
   live announcements. Other page modules use window.Exhibition. */
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="csrf-token"]');
  const body = document.body;
  const userId = body.dataset.userId ? Number(body.dataset.userId) : null;

  async function api(method, path, data) {
    const options = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (method !== "GET") options.headers["X-CSRFToken"] = meta ? meta.content : "";
    if (data !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(data);
    }
    const response = await fetch(path, options);
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const detail = (json && json.error && json.error.message) || "";
      const error = new Error(errorText(json && json.error && json.error.code, detail));
      error.detail = detail;
      error.status = response.status;
      error.code = json && json.error && json.error.code;
      throw error;
    }
    return json;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function formatTime(iso, options) {
    const tz = body.dataset.timezone || body.dataset.eventTimezone;
    return new Intl.DateTimeFormat(body.dataset.locale || "en",
      Object.assign({ hour: "2-digit", minute: "2-digit", timeZone: tz }, options || {})).format(new Date(iso));
  }

  /* Texts the scripts build themselves, in the page's language (exhibition/i18n.py js_strings,
     JSON in base.html's hidden #i18n-strings data-strings: no inline script, the CSP forbids it).
     t("Text {name}", {name: "x"}); unknown keys stay as they are. */
  let strings = null;
  function t(key, params) {
    if (strings === null) {
      const block = document.getElementById("i18n-strings");
      try { strings = (block && JSON.parse(block.dataset.strings)) || {}; } catch (e) { strings = {}; }
    }
    const text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    return String(text).replace(/\{(\w+)\}/g, (whole, name) =>
      (params && Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole));
  }

  /* The API's error messages are English and meant for developers (SPEC). In another language
     people read a translated text for the error code; for "invalid" and "conflict" the detail
     stays in brackets because it names the field. English pages keep the detail as it is. */
  const ERROR_TEXTS = {
    invalid: "Please check your entries.",
    unauthenticated: "Please log in first.",
    forbidden: "You are not allowed to do this.",
    muted: "You are muted in this chat at the moment.",
    not_found: "This does not exist (any more).",
    conflict: "This conflicts with something that exists already.",
    too_large: "That is too large.",
    rate_limited: "Too many requests. Please wait a moment.",
    csrf: "The form has expired. Please reload the page and try again.",
    internal: "Something went wrong on our side. Please try again later.",
  };
  function errorText(code, detail) {
    const locale = body.dataset.locale || "en";
    if (locale === "en" || !ERROR_TEXTS[code]) return detail || t("The request failed.");
    const text = t(ERROR_TEXTS[code]);
    return (code === "invalid" || code === "conflict") && detail ? text + " (" + detail + ")" : text;
  }

  let socket = null;
  if (userId && window.io) {
    socket = window.io({ transports: ["websocket", "polling"], withCredentials: true });
  }

  function showAnnouncement(a, prepend) {
    const list = document.querySelector("[data-announcements]");
    if (!list || list.querySelector('[data-announcement-id="' + a.id + '"]')) return;
    const item = el("li", { "data-announcement-id": a.id },
      el("strong", { text: formatTime(a.created_at) + " " }), a.body);
    if (prepend) list.prepend(item); else list.append(item);
    while (list.children.length > 3) list.lastElementChild.remove();
  }

  if (userId) {
    api("GET", "/api/announcements").then((data) => {
      (data.announcements || []).slice(0, 3).forEach((a) => showAnnouncement(a, false));
    }).catch(() => {});
  }
  if (socket) socket.on("announcement", (a) => showAnnouncement(a, true));

  window.Exhibition = { api, el, formatTime, t, errorText, socket, userId, role: body.dataset.userRole || null };
})();
