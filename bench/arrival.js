// The arrival storm's clients for bench/arrival_storm.py (official socket.io-client, Node,
// one process). Usage: node bench/arrival.js '<json options>'. Prints JSON lines.
// Options: url, users (emails bench<first>… bench<first+users-1>@example.test, password
// bench-password), first, batch (arrivals at a time), room (the booth all arrivals join),
// chatRoom, chatCookiesFile (Cookie headers of the chatters: one sender, the rest receive),
// chatRate (messages/s), quietSeconds (chat before and after the storm).
//
// Each arrival: GET /api/csrf, POST /api/auth/login (the real scrypt check), Socket.IO
// connect with the session cookie, join the booth; the next batch starts when the
// previous one has finished. Chat latency: sender's send time → a receiver's `message`.
"use strict";
const { io } = require("socket.io-client");
const { performance } = require("perf_hooks");
const fs = require("fs");

const opt = JSON.parse(process.argv[2] || "{}");
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cpuStart = process.cpuUsage();
const wallStart = performance.now();

function pct(values, p) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(1);
}
const summary = (v) => ({ n: v.length, p50: pct(v, 50), p99: pct(v, 99), max: pct(v, 100) });

function socket(cookie) {
  return new Promise((resolve, reject) => {
    const s = io(opt.url, { transports: ["websocket"], forceNew: true, reconnection: false, timeout: 60000,
                            extraHeaders: { Cookie: cookie }, perMessageDeflate: false });
    s.once("connect", () => {
      try { s.io.engine.transport.ws._socket.setNoDelay(true); } catch (e) { /* not a ws transport */ }
      resolve(s);
    });
    s.once("connect_error", (e) => { s.close(); reject(new Error("connect: " + (e && e.message))); });
  });
}

function cookiesOf(response) {
  const raw = response.headers.getSetCookie ? response.headers.getSetCookie() : [];
  return raw.map((c) => c.split(";")[0]);
}

const logins = [], joins = [], connects = [], failures = {};
const held = [];
const fail = (what) => { failures[what] = (failures[what] || 0) + 1; };

async function arrive(i) {
  const email = `bench${i}@example.test`;
  try {
    const csrf = await fetch(opt.url + "/api/csrf");
    let jar = cookiesOf(csrf);
    const token = (await csrf.json()).csrf_token;
    const t0 = performance.now();
    const r = await fetch(opt.url + "/api/auth/login", {
      method: "POST", body: JSON.stringify({ email, password: "bench-password" }),
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, Cookie: jar.join("; ") },
    });
    await r.text();
    if (r.status !== 200) return fail(`login ${r.status}`);
    logins.push(performance.now() - t0);
    jar = cookiesOf(r).length ? cookiesOf(r) : jar;
    const t1 = performance.now();
    const s = await socket(jar.join("; "));
    held.push(s);
    connects.push(performance.now() - t1);
    const t2 = performance.now();
    const ack = await s.timeout(60000).emitWithAck("join", { room: opt.room });
    if (!ack || !ack.ok) return fail(`join ${ack && ack.error ? ack.error.code : "?"}`);
    joins.push(performance.now() - t2);
  } catch (e) {
    fail(String(e.message || e).slice(0, 80));
  }
}

async function main() {
  const chatCookies = JSON.parse(fs.readFileSync(opt.chatCookiesFile, "utf8"));
  const chatters = [];
  for (const c of chatCookies) {
    const s = await socket(c);
    const ack = await s.timeout(10000).emitWithAck("join", { room: opt.chatRoom });
    if (!ack.ok) throw new Error("chatter join: " + JSON.stringify(ack));
    chatters.push(s);
  }
  const phase = { name: "quiet-before" };
  const latency = { "quiet-before": [], storm: [], "quiet-after": [] };
  const sentAt = new Map();
  for (const r of chatters.slice(1)) {
    r.on("message", (m) => {
      const t = sentAt.get(m.client_id);
      if (t !== undefined) latency[t.phase].push(performance.now() - t.at);
    });
  }
  let k = 0, sending = true, sendErrors = 0;
  const sender = (async () => {
    while (sending) {
      const id = `c${k++}`;
      sentAt.set(id, { at: performance.now(), phase: phase.name });
      chatters[0].timeout(30000).emitWithAck("send", { room: opt.chatRoom, body: "tick " + id, client_id: id })
        .then((a) => { if (!a.ok) sendErrors++; }, () => sendErrors++);
      await sleep(1000 / opt.chatRate);
    }
  })();
  await sleep(opt.quietSeconds * 1000);
  phase.name = "storm";
  const stormStart = performance.now();
  for (let first = 0; first < opt.users; first += opt.batch) {
    const batch = [];
    for (let i = first; i < Math.min(opt.users, first + opt.batch); i++) batch.push(arrive(opt.first + i));
    await Promise.all(batch);
    out({ event: "progress", arrived: Math.min(opt.users, first + opt.batch), failures });
  }
  const stormSeconds = (performance.now() - stormStart) / 1000;
  phase.name = "quiet-after";
  await sleep(opt.quietSeconds * 1000);
  sending = false;
  await sender;
  await sleep(1000);
  const cpu = process.cpuUsage(cpuStart);
  out({
    event: "result", users: opt.users, batch: opt.batch, storm_seconds: +stormSeconds.toFixed(1),
    login_ms: summary(logins), connect_ms: summary(connects), join_ms: summary(joins), failures,
    succeeded: joins.length, chat_sent: k, chat_send_errors: sendErrors,
    chat_ms: Object.fromEntries(Object.entries(latency).map(([p, v]) => [p, summary(v)])),
    loadgen_cpu_seconds: +((cpu.user + cpu.system) / 1e6).toFixed(1),
    loadgen_wall_seconds: +((performance.now() - wallStart) / 1000).toFixed(1),
  });
  for (const s of held.concat(chatters)) s.close();
  process.exit(0);
}

main().catch((e) => { out({ event: "error", error: String(e.stack || e) }); process.exit(1); });
