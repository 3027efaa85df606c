/* Chat panels ([data-chat-panel], templates/chat/_panel.html) and the unread count of
   direct messages in the navigation. Loaded on every page by base.html.
   Uses window.Exhibition (static/js/app.js): one Socket.IO connection per page. */
(function () {
  "use strict";
  if (!window.Exhibition || window.Exhibition.chatLoaded) return;
  window.Exhibition.chatLoaded = true;
  const X = window.Exhibition;
  const t = X.t;
  const tn = X.tn;
  const socket = X.socket;
  const me = X.userId;
  const openRooms = new Set();

  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    const bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /* ---------------------------------------------------------------- unread direct messages */
  const UNREAD_KEY = "exhibition.unread." + (me || "anon");

  function readUnread() {
    try { return JSON.parse(window.localStorage.getItem(UNREAD_KEY)) || {}; } catch (e) { return {}; }
  }

  function writeUnread(data) {
    try { window.localStorage.setItem(UNREAD_KEY, JSON.stringify(data)); } catch (e) { /* private mode */ }
    showUnread();
  }

  function showUnread() {
    const data = readUnread();
    let total = 0;
    for (const [room, entry] of Object.entries(data)) {
      total += entry.count || 0;
      const item = document.querySelector('[data-conversation-room="' + room + '"] [data-conversation-unread]');
      if (item) { item.textContent = entry.count || ""; item.hidden = !entry.count; }
    }
    document.querySelectorAll("[data-unread-count]").forEach((badge) => {
      badge.textContent = total ? String(total) : "";
      badge.hidden = !total;
    });
  }

  function countUnread(message) {
    if (!message.room || message.room.indexOf("dm:") !== 0) return;
    if (message.sender.id === me || openRooms.has(message.room)) return;
    const data = readUnread();
    const entry = data[message.room] || { count: 0, lastId: 0 };
    if (message.id <= entry.lastId) return; // another tab counted it already
    entry.count += 1;
    entry.lastId = message.id;
    data[message.room] = entry;
    writeUnread(data);
  }

  function markRead(room, lastId) {
    const data = readUnread();
    const entry = data[room] || { count: 0, lastId: 0 };
    entry.count = 0;
    entry.lastId = Math.max(entry.lastId, lastId || 0);
    data[room] = entry;
    writeUnread(data);
  }

  window.addEventListener("storage", (event) => { if (event.key === UNREAD_KEY) showUnread(); });

  /* ---------------------------------------------------------------- one chat panel */
  function ChatPanel(root) {
    const room = root.dataset.chatRoom;
    const canModerate = root.dataset.canModerate === "true";
    const list = root.querySelector("[data-chat-messages]");
    const input = root.querySelector("[data-chat-input]");
    const form = root.querySelector("[data-chat-form]");
    const status = root.querySelector("[data-chat-status]");
    const errorBox = root.querySelector("[data-chat-error]");
    const typingBox = root.querySelector("[data-chat-typing]");
    const mutedBox = root.querySelector("[data-chat-muted]");
    const presentList = root.querySelector("[data-chat-present]");
    const live = root.querySelector("[data-chat-live]");
    const olderButton = root.querySelector("[data-chat-older]");

    const seenIds = new Set();        // every message id handled, deleted ones included
    const pending = new Map();        // client_id -> {body, node}; sent again after a reconnect
    const present = new Map();        // user id -> user
    let presentCount = 0;             // how many are in the room: the list holds at most 100 of them
    const typists = new Map();        // user id -> timer
    let lastId = 0;
    let oldestId = null;
    let joinedOnce = false;
    let lastTypingSent = 0;

    openRooms.add(room);

    function setStatus(text) { if (status) status.textContent = text || ""; }
    function setError(text) { if (errorBox) errorBox.textContent = text || ""; }

    function errorText(error) {
      if (!error) return t("The message could not be sent.");
      if (error.code === "rate_limited") return t("You are sending too fast. Please wait a moment.");
      if (error.code === "too_large") return t("The message is too long (at most 2000 characters).");
      return error.message ? X.errorText(error.code, error.message) : t("The message could not be sent.");
    }

    function badge(role) {
      if (role === "organiser") return X.el("span", { className: "chat-badge organiser", text: t("Organiser") });
      if (role === "staff") return X.el("span", { className: "chat-badge staff", text: t("Staff") });
      return null;
    }

    function messageNode(m) {
      const mine = m.sender.id === me;
      const actions = X.el("span", { className: "chat-actions" });
      if (mine || canModerate) {
        actions.append(X.el("button", { type: "button", className: "link-button", "data-chat-delete": m.id,
          text: t("Delete") }));
      }
      if (canModerate && !mine) {
        actions.append(X.el("button", { type: "button", className: "link-button", "data-chat-mute": m.sender.id,
          text: t("Mute 15 min") }));
      }
      return X.el("li", { className: "chat-message" + (mine ? " mine" : ""), "data-message-id": m.id,
        "data-client-id": m.client_id, "data-sender-id": m.sender.id },
        X.el("div", { className: "chat-meta" },
          X.el("span", { className: "chat-sender", text: m.sender.display_name }), badge(m.sender.role),
          X.el("time", { datetime: m.created_at, text: X.formatTime(m.created_at) }), actions),
        X.el("p", { className: "chat-body", text: m.body }));
    }

    function insertSorted(node, id) {
      for (const child of list.querySelectorAll("[data-message-id]")) {
        if (Number(child.dataset.messageId) > id) { list.insertBefore(node, child); return; }
      }
      const firstPending = list.querySelector("[data-pending]");
      if (firstPending) list.insertBefore(node, firstPending); else list.append(node);
    }

    function addMessage(m, announce) {
      if (m.room !== room) return;
      const pend = pending.get(m.client_id);
      if (pend && m.sender.id === me) {
        pend.node.remove();
        pending.delete(m.client_id);
      }
      if (seenIds.has(m.id)) return;
      seenIds.add(m.id);
      lastId = Math.max(lastId, m.id);
      oldestId = oldestId === null ? m.id : Math.min(oldestId, m.id);
      if (m.deleted) return; // deleted messages are not shown
      const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
      insertSorted(messageNode(m), m.id);
      if (nearBottom || m.sender.id === me) list.scrollTop = list.scrollHeight;
      if (announce && m.sender.id !== me && live) {
        live.textContent = t("New message from {name}: {body}", { name: m.sender.display_name, body: m.body });
      }
      if (room.indexOf("dm:") === 0) markRead(room, m.id);
    }

    function removeMessage(id) {
      seenIds.add(id);
      const node = list.querySelector('[data-message-id="' + id + '"]');
      if (node) node.remove();
    }

    function renderPresent() {
      const count = Math.max(presentCount, present.size);
      // other parts of the page (the booth's "visitors now") follow who is in this room
      document.dispatchEvent(new CustomEvent("exhibition:present", { detail: { room, count } }));
      const items = Array.from(present.values())
        .sort((a, b) => a.display_name.localeCompare(b.display_name))
        .map((u) => X.el("li", { "data-present-user-id": u.id }, u.display_name, badge(u.role) ? " " : null, badge(u.role),
          u.id === me ? " (" + t("you") + ")" : null));
      // a large room lists at most 100 people (SPEC §5): the others are a number
      const more = count - present.size;
      if (more > 0) items.push(X.el("li", { "data-present-more": more }, tn("and {n} other", "and {n} others", more)));
      presentList.replaceChildren(...items);
    }

    function renderTyping() {
      const names = Array.from(typists.keys()).map((id) => (present.get(id) || {}).display_name).filter(Boolean);
      typingBox.textContent = names.length ? t("{name} is typing …", { name: names.join(", ") }) : "";
    }

    function emit(event, payload) {
      return new Promise((resolve) => {
        if (!socket || !socket.connected) { resolve({ ok: false, offline: true }); return; }
        socket.timeout(10000).emit(event, payload, (err, ack) => resolve(err ? { ok: false, offline: true } : ack));
      });
    }

    async function catchUp() {
      // Everything after the last message seen, in pages of 100.
      for (;;) {
        const ack = await emit("history", { room, after_id: lastId, limit: 100 });
        if (!ack || !ack.ok) return;
        ack.messages.forEach((m) => addMessage(m, false));
        if (ack.messages.length < 100) return;
      }
    }

    async function sendPending() {
      for (const [clientId, item] of Array.from(pending.entries())) {
        if (item.inFlight) continue;
        await deliver(clientId, item);
      }
    }

    async function deliver(clientId, item) {
      item.inFlight = true;
      const ack = await emit("send", { room, body: item.body, client_id: clientId });
      item.inFlight = false;
      if (ack && ack.ok) { addMessage(ack.message, false); return; }
      if (ack && ack.offline) return; // stays pending; sent again on reconnect
      pending.delete(clientId);
      item.node.remove();
      if (ack && ack.error && ack.error.code === "muted") showMuted(null, X.errorText("muted", ack.error.message));
      setError(errorText(ack && ack.error));
      if (!input.value) input.value = item.body;
    }

    async function join() {
      const ack = await emit("join", { room });
      if (!ack || !ack.ok) {
        if (ack && !ack.offline) setStatus(errorText(ack.error));
        return;
      }
      setStatus(t("Connected."));
      present.clear();
      ack.present.forEach((u) => present.set(u.id, u));
      presentCount = typeof ack.present_count === "number" ? ack.present_count : present.size;
      renderPresent();
      if (!joinedOnce) {
        joinedOnce = true;
        ack.history.forEach((m) => addMessage(m, false));
        if (olderButton) olderButton.hidden = ack.history.length < 50;
      } else {
        await catchUp(); // everything after the last message seen, however many
        ack.history.forEach((m) => { if (m.deleted) removeMessage(m.id); }); // deleted meanwhile
      }
      await sendPending();
    }

    function showMuted(until, message) {
      if (!mutedBox) return;
      mutedBox.textContent = until ? t("You are muted in this chat until {time}.", { time: X.formatTime(until) }) : message;
      mutedBox.hidden = false;
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      setError("");
      const body = input.value.trim();
      if (!body) return;
      const clientId = newClientId();
      const node = X.el("li", { className: "chat-message pending", "data-pending": clientId },
        X.el("p", { className: "chat-body", text: body }));
      list.append(node);
      list.scrollTop = list.scrollHeight;
      const item = { body, node, inFlight: false };
      pending.set(clientId, item);
      input.value = "";
      deliver(clientId, item);
    });

    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
    });

    input.addEventListener("input", () => {
      const now = Date.now();
      if (now - lastTypingSent > 3000 && input.value.trim()) { lastTypingSent = now; emit("typing", { room }); }
    });

    list.addEventListener("click", async (event) => {
      const del = event.target.closest("[data-chat-delete]");
      if (del) {
        if (!window.confirm(t("Delete this message?"))) return;
        const ack = await emit("delete_message", { id: Number(del.dataset.chatDelete) });
        if (ack && ack.ok) removeMessage(Number(del.dataset.chatDelete)); else setError(errorText(ack && ack.error));
        return;
      }
      const mute = event.target.closest("[data-chat-mute]");
      if (mute) {
        const ack = await emit("mute", { room, user_id: Number(mute.dataset.chatMute), minutes: 15 });
        if (!ack || !ack.ok) setError(errorText(ack && ack.error));
      }
    });

    if (olderButton) {
      olderButton.addEventListener("click", async () => {
        const ack = await emit("history", { room, before_id: oldestId || undefined, limit: 50 });
        if (!ack || !ack.ok) return;
        ack.messages.forEach((m) => addMessage(m, false));
        olderButton.hidden = ack.messages.length < 50;
      });
    }

    if (socket) {
      socket.on("connect", join);
      socket.on("disconnect", () => setStatus(t("Connection lost. Reconnecting …")));
      socket.on("message", (m) => {
        if (m.room === room && typists.has(m.sender.id)) {  // they sent: no longer typing
          clearTimeout(typists.get(m.sender.id));
          typists.delete(m.sender.id);
          renderTyping();
        }
        addMessage(m, true);
      });
      socket.on("message_deleted", (d) => { if (d.room === room) removeMessage(d.id); });
      // The server's message queue was away: live messages may have been missed meanwhile.
      socket.on("resync", () => { if (joinedOnce) catchUp(); });
      socket.on("presence", (p) => {
        if (p.room !== room) return;
        const before = present.size;
        if (p.status === "joined") present.set(p.user.id, p.user); else present.delete(p.user.id);
        presentCount += present.size - before;  // until the next presence_count says otherwise
        renderPresent();
      });
      socket.on("presence_count", (c) => {
        if (c.room !== room) return;
        presentCount = c.count;
        renderPresent();
      });
      socket.on("typing", (typing) => {
        if (typing.room !== room || typing.user.id === me) return;
        if (!present.has(typing.user.id)) present.set(typing.user.id, typing.user);
        clearTimeout(typists.get(typing.user.id));
        typists.set(typing.user.id, setTimeout(() => { typists.delete(typing.user.id); renderTyping(); }, 4000));
        renderTyping();
      });
      socket.on("muted", (m) => { if (m.room === room) showMuted(m.until); });
      if (socket.connected) join();
    }
  }

  document.querySelectorAll("[data-chat-panel]").forEach((root) => ChatPanel(root));
  if (socket) socket.on("message", countUnread);
  showUnread();
})();
