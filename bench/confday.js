// The conference day (bench/run.py --only confday): N attendees log in for real, browse,
// hold one Socket.IO connection, move between booths, chat and send direct messages.
// Usage: node bench/confday.js '<json options>'; prints JSON lines: {"event":"ready"} when the
// ramp is over (steady state begins), then {"event":"result",...}.
// Options (seconds unless said): urls (attendee i uses urls[i % urls.length]), accountsFile
// (from prepare_platform.py --accounts-out), n, ramp (60), duration (180, steady state after the
// ramp), chatEvery (180), staffChatEvery (30), dmEvery (600), moveEvery (120), pageEvery (90),
// lobbyShare (0.05: share of attendee messages sent to the lobby), timeout (30, HTTP and acks),
// drain (5, wait for deliveries after the last send).
//
// One clock: senders and receivers are in this process, so a message's delivery latency is
// receipt time minus the time its send was emitted (found by its client_id). Lost messages: an
// acked message must reach every member that was in its room from before the send until after
// the ack (+2 s), and for a dm: room the other person (their personal room) if connected.
"use strict";
const http = require("http");
const { io } = require("socket.io-client");
const { performance } = require("perf_hooks");

const opt = Object.assign({ ramp: 60, duration: 180, chatEvery: 180, staffChatEvery: 30, dmEvery: 600,
  moveEvery: 120, pageEvery: 90, lobbyShare: 0.05, timeout: 30, drain: 5 }, JSON.parse(process.argv[2] || "{}"));
const meta = JSON.parse(require("fs").readFileSync(opt.accountsFile, "utf8"));
const accounts = meta.accounts.slice(0, opt.n);
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();
const cpuStart = process.cpuUsage();
const wallStart = now();
const agent = new http.Agent({ keepAlive: true });
const runId = Math.random().toString(36).slice(2, 8);
const rand = (k) => Math.floor(Math.random() * k);
const pick = (list) => list[rand(list.length)];
const expo = (meanSeconds) => -Math.log(1 - Math.random()) * meanSeconds * 1000;

const errors = {};
const error = (kind) => { errors[kind] = (errors[kind] || 0) + 1; };
const httpTimes = {};  // kind -> [ms]
const deliveryMs = [];
const steadyDeliveryMs = [];  // sent after the ramp: the day without the arrival of everyone
const steadyHttpMs = [];
const sent = new Map();  // client_id -> {room, from, sendAt, ackAt, ok, to (dm partner)}
const members = new Map();  // room -> Map(client index -> [[joinedAt, leftAt|null], ...])
let received = 0, duplicates = 0, deliveries = 0;

const t0 = now();
const steadyAt = t0 + opt.ramp * 1000;
const endAt = steadyAt + opt.duration * 1000;

function pct(values, p) {
  if (!values.length) return null;
  const sorted = Float64Array.from(values).sort();
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10;
}

function request(base, method, path, kind, cookie, body, headers = {}) {
  return new Promise((resolve) => {
    const url = new URL(path, base);
    const data = body === undefined ? null : JSON.stringify(body);
    const h = Object.assign({ Accept: kind.startsWith("page") ? "text/html" : "application/json" }, headers);
    if (cookie) h.Cookie = cookie;
    if (data) { h["Content-Type"] = "application/json"; h["Content-Length"] = Buffer.byteLength(data); }
    const start = now();
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method, headers: h, agent,
      timeout: opt.timeout * 1000 }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        (httpTimes[kind] = httpTimes[kind] || []).push(now() - start);
        if (start >= steadyAt) steadyHttpMs.push(now() - start);
        if (res.statusCode >= 400) error(`http_${res.statusCode}_${kind}`);
        const set = res.headers["set-cookie"];
        resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString(),
                  cookie: set ? set[0].split(";")[0] : null });
      });
    });
    req.on("timeout", () => { req.destroy(new Error("timeout")); });
    req.on("error", (e) => { error(e.message === "timeout" ? `http_timeout_${kind}` : `http_error_${kind}`);
      resolve({ status: 0 }); });
    if (data) req.write(data);
    req.end();
  });
}

class Attendee {
  constructor(i, account) {
    Object.assign(this, { i, account, base: opt.urls[i % opt.urls.length], cookie: null, socket: null,
      rooms: new Set(), alive: false, dmRoom: null, staff: account.staff_booth !== null && account.staff_booth !== undefined });
  }

  async login() {
    const csrf = await request(this.base, "GET", "/api/csrf", "csrf");
    if (csrf.status !== 200) return false;
    const token = JSON.parse(csrf.body).csrf_token;
    const res = await request(this.base, "POST", "/api/auth/login", "login", csrf.cookie,
      { email: this.account.email, password: this.account.password }, { "X-CSRFToken": token });
    if (res.status !== 200 || !res.cookie) { if (res.status === 200) error("login_without_cookie"); return false; }
    this.cookie = res.cookie;
    return true;
  }

  page(path, kind) { return request(this.base, "GET", path, kind, this.cookie); }

  connect() {
    return new Promise((resolve) => {
      const s = io(this.base, { transports: ["websocket"], forceNew: true, reconnection: false,
        timeout: opt.timeout * 1000, extraHeaders: { Cookie: this.cookie } });
      s.once("connect", () => {
        try { s.io.engine.transport.ws._socket.setNoDelay(true); } catch (e) { /* not ws */ }
        this.alive = true;
        this.connectedAt = now();
        resolve(true);
      });
      s.once("connect_error", () => { error("connect_error"); s.close(); resolve(false); });
      s.on("disconnect", (reason) => {
        if (this.alive && !this.closing) { error(`disconnected_${reason.replace(/ /g, "_")}`); this.lostAt = now(); }
        this.alive = false;
      });
      s.on("message", (m) => this.onMessage(m));
      this.seen = new Set();
      this.socket = s;
    });
  }

  onMessage(m) {
    deliveries++;
    const cid = m.client_id || "";
    const rec = sent.get(cid);
    if (!rec) return;
    if (this.seen.has(cid)) { duplicates++; return; }
    this.seen.add(cid);
    rec.receivedBy.add(this.i);
    received++;
    if (rec.from !== this.i) {
      deliveryMs.push(now() - rec.sendAt);
      if (rec.sendAt >= steadyAt) steadyDeliveryMs.push(now() - rec.sendAt);
    }
  }

  async call(ev, payload) {
    try {
      const ack = await this.socket.timeout(opt.timeout * 1000).emitWithAck(ev, payload);
      if (!ack || !ack.ok) { error(`ack_${ev}_${(ack && ack.error && ack.error.code) || "bad"}`); return null; }
      return ack;
    } catch (e) { error(`ack_timeout_${ev}`); return null; }
  }

  async join(room) {
    const ack = await this.call("join", { room });
    if (!ack) return false;
    // Joining a room this client is in already (its second booth drawn equal to its first)
    // opens no new span: a later leave would close only one, and the other would expect
    // messages the server rightly no longer sends (counted as lost before this was fixed).
    if (this.rooms.has(room)) return true;
    this.rooms.add(room);
    if (!members.has(room)) members.set(room, new Map());
    const m = members.get(room);
    if (!m.has(this.i)) m.set(this.i, []);
    m.get(this.i).push([now(), null]);
    return true;
  }

  async leave(room) {
    this.rooms.delete(room);
    const spans = members.get(room).get(this.i);
    spans[spans.length - 1][1] = now();  // from the moment the leave is sent
    await this.call("leave", { room });
  }

  async send(room, to) {
    const cid = `${runId}-${this.i}-${this.n = (this.n || 0) + 1}`;
    const rec = { room, from: this.i, to, sendAt: now(), ackAt: null, ok: false, receivedBy: new Set() };
    sent.set(cid, rec);
    const ack = await this.call("send", { room, body: `hello from ${this.i} at ${Date.now()}`, client_id: cid });
    rec.ackAt = now();
    rec.ok = !!ack;
  }

  booths() { return [...this.rooms].filter((r) => r.startsWith("booth:")); }

  async arrive() {
    if (!(await this.login())) return;
    for (const [path, kind] of [["/", "page_lobby"], ["/booths", "page_booths"],
      [`/booths/${this.firstBooth()}`, "page_booth"], ["/schedule", "page_schedule"]]) await this.page(path, kind);
    if (!(await this.connect())) return;
    await this.join("lobby");
    await this.join(`booth:${this.firstBooth()}`);
    if (!this.staff && Math.random() < 0.5) await this.join(`booth:${pick(meta.booths)}`);
    if (meta.sessions.length) await this.join(`session:${pick(meta.sessions)}`);
    present.push(this);
  }

  firstBooth() {
    if (this._first === undefined) this._first = this.staff ? meta.booths[this.account.staff_booth % meta.booths.length] : pick(meta.booths);
    return this._first;
  }

  // Each activity is a loop with exponential gaps (a Poisson process per person).
  async every(meanSeconds, act) {
    for (;;) {
      const gap = expo(meanSeconds);
      if (now() + gap >= endAt) { await sleep(Math.max(0, endAt - now())); return; }
      await sleep(gap);
      if (!this.alive) return;
      await act();
    }
  }

  async chat() {
    let room;
    if (this.staff) room = `booth:${this.firstBooth()}`;
    else if (Math.random() < opt.lobbyShare) room = "lobby";
    else room = pick([...this.rooms].filter((r) => r !== "lobby" && !r.startsWith("dm:")));
    if (room) await this.send(room);
  }

  async move() {
    const booths = this.booths();
    const target = pick(meta.booths);
    if (!booths.length || this.rooms.has(`booth:${target}`)) return;
    await this.leave(pick(booths));
    await this.page(`/booths/${target}`, "page_booth");
    await this.join(`booth:${target}`);
  }

  async dm() {
    const other = pick(present);
    if (!other || other === this || !other.alive) return;
    const [a, b] = [this.account.id, other.account.id].sort((x, y) => x - y);
    const room = `dm:${a}:${b}`;
    if (this.rooms.has(room)) return;
    if (!(await this.join(room))) return;
    await this.send(room, other.i);
    await sleep(Math.min(5000 + rand(20000), Math.max(0, endAt - now())));
    if (this.alive) await this.leave(room);
  }

  async pages() {
    const [path, kind] = pick([["/", "page_lobby"], ["/booths", "page_booths"],
      [`/booths/${pick(meta.booths)}`, "page_booth"], ["/schedule", "page_schedule"]]);
    await this.page(path, kind);
  }

  async live() {
    const loops = [this.every(this.staff ? opt.staffChatEvery : opt.chatEvery, () => this.chat()),
      this.every(opt.dmEvery, () => this.dm()), this.every(opt.pageEvery, () => this.pages())];
    if (!this.staff) loops.push(this.every(opt.moveEvery, () => this.move()));
    await Promise.all(loops);
  }
}

const present = [];

function lostMessages() {
  const graceMs = 2000;
  let expected = 0, got = 0;
  const lostByKind = {};
  for (const rec of sent.values()) {
    if (!rec.ok) continue;
    const want = [];
    const inRoom = members.get(rec.room) || new Map();
    for (const [i, spans] of inRoom) {
      const a = attendees[i];
      if (a.lostAt !== undefined && a.lostAt < rec.ackAt + graceMs) continue;  // counted as a disconnect
      if (spans.some(([j, l]) => j < rec.sendAt && (l === null || l > rec.ackAt + graceMs))) want.push(i);
    }
    if (rec.to !== undefined && !want.includes(rec.to)) {
      const b = attendees[rec.to];
      if (b.connectedAt < rec.sendAt && (b.lostAt === undefined || b.lostAt > rec.ackAt + graceMs)) want.push(rec.to);
    }
    expected += want.length;
    for (const i of want) {
      if (rec.receivedBy.has(i)) got++;
      else { const kind = rec.room.split(":")[0]; lostByKind[kind] = (lostByKind[kind] || 0) + 1; }
    }
  }
  return { expected, received: got, lost: expected - got, lost_by_room_kind: lostByKind };
}

const attendees = accounts.map((a, i) => new Attendee(i, a));

async function main() {
  const lives = attendees.map(async (a, i) => {
    await sleep((i / attendees.length) * opt.ramp * 1000 + Math.random() * 200);
    await a.arrive();
    if (a.alive) await a.live();
  });
  await sleep(Math.max(0, steadyAt - now()));
  out({ event: "ready", logged_in: present.length });
  await Promise.all(lives);
  await sleep(opt.drain * 1000);
  const stillConnected = attendees.filter((a) => a.alive).length;
  for (const a of attendees) { a.closing = true; if (a.socket) a.socket.close(); }
  const lost = lostMessages();
  const messages = [...sent.values()];
  const http = {};
  for (const [kind, values] of Object.entries(httpTimes)) {
    http[kind] = { count: values.length, p50_ms: pct(values, 50), p99_ms: pct(values, 99), max_ms: pct(values, 100) };
  }
  const allPages = Object.entries(httpTimes).filter(([k]) => k.startsWith("page_")).flatMap(([, v]) => v);
  const u = process.cpuUsage(cpuStart);
  const wall = (now() - wallStart) / 1000;
  out({ event: "result", scenario: "confday", n: attendees.length, ramp_s: opt.ramp, duration_s: opt.duration,
    joined_in_time: present.length, still_connected: stillConnected,
    messages_sent: messages.length, messages_acked: messages.filter((m) => m.ok).length,
    dms: messages.filter((m) => m.room.startsWith("dm:")).length,
    deliveries_counted: received, duplicates, events_message: deliveries, ...lost,
    delivery_p50_ms: pct(deliveryMs, 50), delivery_p99_ms: pct(deliveryMs, 99), delivery_max_ms: pct(deliveryMs, 100),
    steady_delivery_p50_ms: pct(steadyDeliveryMs, 50), steady_delivery_p99_ms: pct(steadyDeliveryMs, 99),
    steady_deliveries: steadyDeliveryMs.length, steady_http_p99_ms: pct(steadyHttpMs, 99),
    http, http_pages_p99_ms: pct(allPages, 99), http_all_p99_ms: pct(Object.values(httpTimes).flat(), 99),
    errors, error_count: Object.values(errors).reduce((x, y) => x + y, 0),
    loadgen_cpu_seconds: (u.user + u.system) / 1e6, loadgen_wall_seconds: wall });
}

main().then(() => process.exit(0), (e) => {
  out({ event: "error", error: String(e && e.stack || e) });
  process.exit(1);
});
