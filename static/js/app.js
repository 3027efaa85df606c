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

  /* The one way scripts get their texts: t("English text {name}", {name: "x"}) and, for a counted
     text, tn("{n} thing", "{n} things", n, params). Babel's JavaScript extractor reads these calls
     (babel.cfg, keywords t and tn:1,2) into the catalogue, and base.html hands the page exactly
     those texts, translated (exhibition/runtime/i18n.py js_strings: JSON in the hidden
     #i18n-strings data-strings, no inline script, the CSP forbids it). The first argument must be
     a string literal, else it cannot be extracted; unknown texts stay as they are (English). */
  let strings = null;
  function lookup(key) {
    if (strings === null) {
      const block = document.getElementById("i18n-strings");
      try { strings = (block && JSON.parse(block.dataset.strings)) || {}; } catch (e) { strings = {}; }
    }
    return Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : undefined;
  }
  function fill(text, params) {
    return String(text).replace(/\{(\w+)\}/g, (whole, name) =>
      (params && Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole));
  }
  function t(key, params) {
    const text = lookup(key);
    return fill(typeof text === "string" ? text : key, params);
  }
  /* English and German have two forms: [one, other] (the block holds both, in the page's language). */
  function tn(singular, plural, n, params) {
    const forms = lookup(singular);
    const one = new Intl.PluralRules(body.dataset.locale || "en").select(n) === "one";
    const text = Array.isArray(forms) ? forms[one ? 0 : 1] : (one ? singular : plural);
    return fill(text, Object.assign({ n: n }, params || {}));
  }

  /* The API's error messages are English and meant for developers (docs/api/). In another language
     people read a translated text for the error code; for "invalid" and "conflict" the detail
     stays in brackets because it names the field. English pages keep the detail as it is. */
  const ERROR_TEXTS = {
    invalid: () => t("Please check your entries."),
    unauthenticated: () => t("Please log in first."),
    forbidden: () => t("You are not allowed to do this."),
    muted: () => t("You are muted in this chat at the moment."),
    not_found: () => t("This does not exist (any more)."),
    conflict: () => t("This conflicts with something that exists already."),
    too_large: () => t("That is too large."),
    rate_limited: () => t("Too many requests. Please wait a moment."),
    csrf: () => t("The form has expired. Please reload the page and try again."),
    internal: () => t("Something went wrong on our side. Please try again later."),
    unavailable: () => t("The service is briefly unavailable. Please try again in a moment."),
  };
  function errorText(code, detail) {
    const locale = body.dataset.locale || "en";
    const known = Object.prototype.hasOwnProperty.call(ERROR_TEXTS, code);
    if (locale === "en" || !known) return detail || t("The request failed.");
    const text = ERROR_TEXTS[code]();
    return (code === "invalid" || code === "conflict") && detail ? text + " (" + detail + ")" : text;
  }

  /* Wall-clock date and time in a time zone <-> an instant. Forms (datetime-local, date + time)
     hold the wall time of the event's or the person's zone; the API takes and gives ISO UTC. */
  function zoneParts(date, tz) {
    const parts = {};
    new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
      .formatToParts(date).forEach((p) => { parts[p.type] = p.value; });
    parts.hour = String(+parts.hour % 24).padStart(2, "0");
    return parts;
  }
  function zoneOffsetMs(date, tz) {
    const p = zoneParts(date, tz);
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - date.getTime();
  }
  /* "2020-11-10", "14:30" (seconds ignored) in tz -> Date */
  function wallTimeToDate(dateStr, timeStr, tz) {
    const [y, m, d] = dateStr.split("-").map(Number);
    const [hh, mm] = timeStr.split(":").map(Number);
    const guess = Date.UTC(y, m - 1, d, hh, mm);
    let result = new Date(guess - zoneOffsetMs(new Date(guess), tz));
    result = new Date(guess - zoneOffsetMs(result, tz));  // second pass settles DST edges
    return result;
  }
  /* ISO instant -> { date: "2020-11-10", time: "14:30" } in tz */
  function dateToWallTime(iso, tz) {
    const p = zoneParts(new Date(iso), tz);
    return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
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

  window.Exhibition = { api, el, formatTime, t, tn, errorText, wallTimeToDate, dateToWallTime, socket, userId, role: body.dataset.userRole || null };
})();
