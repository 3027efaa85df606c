// Load generator for bench/run.py: the official socket.io-client (Node), one process.
// Usage: node bench/loadgen.js '<json options>'; prints JSON lines: {"event":"ready",...}
// when all clients are connected (and joined), then {"event":"result",...}.
// Options: scenario (connections | fanout | acked), url, senderUrl (fanout: the sender's
// process, default url), receiverUrls (fanout: receivers spread over these), cookiesFile
// (a JSON list of Cookie header values, one per client; none for the floor), n, receivers,
// rate, seconds, senders, rooms, roomPrefix, hold, concurrency, deflate.
"use strict";
const { io } = require("socket.io-client");
const { performance } = require("perf_hooks");

const opt = JSON.parse(process.argv[2] || "{}");
const cookies = opt.cookiesFile ? JSON.parse(require("fs").readFileSync(opt.cookiesFile, "utf8")) : [];
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
let clientIndex = 0;

function client(url) {
  const i = clientIndex++;
  const headers = cookies.length ? { Cookie: cookies[i % cookies.length] } : {};
  return io(url, {
    transports: ["websocket"], forceNew: true, reconnection: false, timeout: opt.connectTimeout || 60000,
    extraHeaders: headers, perMessageDeflate: opt.deflate ? { threshold: 0 } : false,
  });
}

function connectOne(url) {
  return new Promise((resolve) => {
    const s = client(url);
    s.once("connect", () => {
      // Browsers send with TCP_NODELAY; Node's ws client does not set it here, and without it
      // each small frame waited for the server's delayed ACK (measured: 25 ms instead of 8 ms per ack).
      try { s.io.engine.transport.ws._socket.setNoDelay(true); } catch (e) { /* not a ws transport */ }
      resolve({ s, ok: true });
    });
    s.once("connect_error", (e) => resolve({ s, ok: false, error: String(e && e.message) }));
  });
}

async function connectMany(urls, n) {
  const sockets = [];
  const errors = {};
  const conc = opt.concurrency || 100;
  let next = 0;
  async function worker() {
    while (next < n) {
      const k = next++;
      const r = await connectOne(urls[k % urls.length]);
      if (r.ok) sockets.push(r.s);
      else { errors[r.error] = (errors[r.error] || 0) + 1; r.s.close(); }
    }
  }
  await Promise.all(Array.from({ length: Math.min(conc, n) }, worker));
  return { sockets, errors };
}

const call = (s, ev, payload, ms = 60000) => s.timeout(ms).emitWithAck(ev, payload);

function pct(values, p) {
  if (!values.length) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function cpu() {
  const u = process.cpuUsage(cpuStart);
  const wall = (performance.now() - wallStart) / 1000;
  return { loadgen_cpu_seconds: (u.user + u.system) / 1e6, loadgen_wall_seconds: wall };
}

async function joinAll(sockets, room) {
  const conc = opt.concurrency || 100;
  let next = 0, failed = 0;
  async function worker() {
    while (next < sockets.length) {
      const s = sockets[next++];
      const ack = await call(s, "join", { room: typeof room === "function" ? room(s) : room });
      if (!ack || !ack.ok) failed++;
    }
  }
  await Promise.all(Array.from({ length: Math.min(conc, sockets.length) }, worker));
  return failed;
}

async function connections() {
  const t0 = performance.now();
  const { sockets, errors } = await connectMany([opt.url], opt.n);
  const connectSeconds = (performance.now() - t0) / 1000;
  out({ event: "ready", connected: sockets.length, errors, connect_seconds: connectSeconds });
  await sleep((opt.hold || 5) * 1000);
  let alive = sockets.filter((s) => s.connected).length;
  sockets.forEach((s) => s.close());
  out({ event: "result", scenario: "connections", requested: opt.n, connected: sockets.length,
        still_connected_after_hold: alive, errors, connect_seconds: connectSeconds, ...cpu() });
}

async function fanout() {
  const room = opt.room;
  const urls = opt.receiverUrls || [opt.url];
  const { sockets: receivers, errors } = await connectMany(urls, opt.receivers);
  let lastEventAt = performance.now(), settleEvents = 0;
  receivers.forEach((s) => s.onAny(() => { lastEventAt = performance.now(); settleEvents++; }));
  const joinFailed = await joinAll(receivers, room);
  const sender = (await connectMany([opt.senderUrl || opt.url], 1)).sockets[0];
  await call(sender, "join", { room });
  // The joins made the platform announce each joiner to the room (presence events, ~M²/2
  // deliveries): let that settle first, so the latencies are those of the messages alone.
  const settleStart = performance.now();
  while (performance.now() - lastEventAt < 1500 && performance.now() - settleStart < 120000) await sleep(250);
  const settleSeconds = (performance.now() - settleStart) / 1000;
  const sentAt = new Map();
  const latencies = [];
  let outOfOrder = 0, idsOutOfOrder = 0, delivered = 0, foreign = 0;
  const runId = Math.random().toString(36).slice(2, 8);
  receivers.forEach((s) => {
    let last = -1, lastId = -1;
    s.on("message", (m) => {
      if (typeof m.id === "number") { if (m.id <= lastId) idsOutOfOrder++; lastId = m.id; }
      const cid = m.client_id || "";
      if (!cid.startsWith(runId + "-")) { foreign++; return; }
      const seq = Number(cid.slice(runId.length + 1));
      const t = sentAt.get(seq);
      if (t !== undefined) latencies.push(performance.now() - t);
      if (seq <= last) outOfOrder++;
      last = seq;
      delivered++;
    });
  });
  out({ event: "ready", receivers: receivers.length, join_failed: joinFailed, errors,
        settle_seconds: settleSeconds, settle_events: settleEvents });
  const total = Math.round(opt.rate * opt.seconds);
  const interval = 1000 / opt.rate;
  const start = performance.now();
  let acked = 0, ackFailed = 0;
  const acks = [];
  for (let seq = 0; seq < total; seq++) {
    const due = start + seq * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    sentAt.set(seq, performance.now());
    acks.push(call(sender, "send", { room, body: `fan-out ${seq}`, client_id: `${runId}-${seq}` })
      .then((a) => { if (a && a.ok) acked++; else ackFailed++; }, () => ackFailed++));
  }
  await Promise.all(acks);
  const expected = total * receivers.length;
  const deadline = performance.now() + 30000;
  while (delivered < expected && performance.now() < deadline) await sleep(100);
  receivers.forEach((s) => s.close());
  sender.close();
  out({ event: "result", scenario: "fanout", receivers: receivers.length, messages: total, rate: opt.rate,
        acked, ack_failed: ackFailed, expected, delivered, out_of_order: outOfOrder,
        ids_out_of_order: idsOutOfOrder, settle_seconds: settleSeconds, settle_events: settleEvents,
        p50_ms: pct(latencies, 50), p99_ms: pct(latencies, 99), max_ms: pct(latencies, 100),
        send_seconds: (performance.now() - start) / 1000, ...cpu() });
}

async function acked() {
  const rooms = opt.rooms;
  const { sockets, errors } = await connectMany([opt.url], opt.senders);
  let k = 0;
  const roomOf = new Map(sockets.map((s) => [s, `${opt.roomPrefix}${(k++) % rooms}`]));
  const joinFailed = await joinAll(sockets, (s) => roomOf.get(s));
  out({ event: "ready", senders: sockets.length, join_failed: joinFailed, errors });
  const stopAt = performance.now() + opt.seconds * 1000;
  const latencies = [];
  let ok = 0, failed = 0;
  const runId = Math.random().toString(36).slice(2, 8);
  const start = performance.now();
  await Promise.all(sockets.map(async (s, i) => {
    let n = 0;
    while (performance.now() < stopAt) {
      const t = performance.now();
      try {
        const a = await call(s, "send", { room: roomOf.get(s), body: `acked ${i} ${n}`, client_id: `${runId}-${i}-${n}` });
        if (a && a.ok) { ok++; latencies.push(performance.now() - t); } else failed++;
      } catch (e) { failed++; }
      n++;
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  sockets.forEach((s) => s.close());
  out({ event: "result", scenario: "acked", senders: sockets.length, rooms, acks: ok, failed,
        acks_per_second: ok / seconds, p50_ms: pct(latencies, 50), p99_ms: pct(latencies, 99),
        seconds, ...cpu() });
}

({ connections, fanout, acked }[opt.scenario])().then(() => process.exit(0), (e) => {
  out({ event: "error", error: String(e && e.stack || e) });
  process.exit(1);
});
