// The Node rival: a bare socket.io 4 server (no auth, no database) with the floor's events,
// to show how far Python is from what the JavaScript reference implementation does on one core.
//
//   join {room}                    -> ack {ok, room}
//   send {room, body, client_id}   -> "message" to the room, ack {ok, message}
//
// Same settings as the floor: WebSocket compression declined, TCP_NODELAY on.
//   node bench/rival_server.js --port 6002
"use strict";
const http = require("http");
const { Server } = require("socket.io");

const port = Number(process.argv[process.argv.indexOf("--port") + 1] || 6002);
const server = http.createServer({ noDelay: true }, (req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end('{"status":"ok"}');
  } else {
    res.writeHead(404);
    res.end();
  }
});
const io = new Server(server, { perMessageDeflate: false, httpCompression: false, cors: { origin: "*" } });
let nextId = 0;

io.on("connection", (socket) => {
  socket.on("join", (data, ack) => {
    socket.join(data.room);
    if (typeof ack === "function") ack({ ok: true, room: data.room });
  });
  socket.on("send", (data, ack) => {
    nextId += 1;
    const message = { id: nextId, room: data.room, body: data.body, client_id: data.client_id,
                      sender: { id: 0, display_name: "rival" } };
    io.to(data.room).emit("message", message);
    if (typeof ack === "function") ack({ ok: true, message });
  });
});

server.listen(port, "127.0.0.1", () => console.log(`rival on 127.0.0.1:${port}`));
