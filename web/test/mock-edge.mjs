// Development only: serves web/ and the mock table (mock-table.mjs) over a real WebSocket on
// 127.0.0.1, so the page can be tried in a browser without the Swift edge:
//   node web/test/mock-edge.mjs [port]      then open http://127.0.0.1:8099/?token=<any well-formed token>
// A token for player "p-1001" valid until 2030: prints one at start. Nothing here is the real
// edge: tokens are not verified, there is no wallet or log. Limits follow docs/protocol.md
// (4 KB frames, 20 messages/s burst 40) so the page meets them early.

import { createServer } from "node:http";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { MockTable } from "./mock-table.mjs";

const port = Number(process.argv[2] ?? 8099);
const root = new URL("../", import.meta.url);
const types = { html: "text/html; charset=utf-8", css: "text/css; charset=utf-8", js: "text/javascript; charset=utf-8" };
const table = new MockTable();
setInterval(() => table.advance(Date.now()), 20);

const server = createServer(async (request, response) => {
  const path = request.url.split("?")[0];
  const name = path === "/" ? "index.html" : path.slice(1);
  if (!/^[a-z0-9-]+\.(html|css|js)$/.test(name)) { response.writeHead(404).end("not found"); return; }
  try {
    const body = await readFile(new URL(name, root));
    response.writeHead(200, { "Content-Type": types[name.split(".").pop()], "Cache-Control": "no-store" }).end(body);
  } catch { response.writeHead(404).end("not found"); }
});

server.on("upgrade", (request, socket) => {
  if (request.url.split("?")[0] !== "/ws" || !request.headers["sec-websocket-key"]) { socket.destroy(); return; }
  const accept = createHash("sha1").update(request.headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const frame = (opcode, payload) => {
    const length = payload.length;
    const head = length < 126 ? Buffer.from([0x80 | opcode, length])
      : length < 65536 ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 255])
      : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(length)); return b; })()]);
    if (!socket.destroyed) socket.write(Buffer.concat([head, payload]));
  };
  let open = true;
  const close = (code) => {
    if (!open) return;
    open = false;
    table.leave(session);
    const b = Buffer.alloc(2); b.writeUInt16BE(code);
    frame(0x8, b);
    socket.end();
  };
  const session = { player: null, send: (m) => open && frame(0x1, Buffer.from(JSON.stringify(m))), close };
  let tokens = 40, refilled = Date.now();
  let buffer = Buffer.alloc(0);
  socket.on("data", (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 2) {
      const opcode = buffer[0] & 15, masked = buffer[1] & 128;
      let length = buffer[1] & 127, offset = 2;
      if (length === 126) { if (buffer.length < 4) return; length = buffer.readUInt16BE(2); offset = 4; }
      else if (length === 127) { if (buffer.length < 10) return; length = Number(buffer.readBigUInt64BE(2)); offset = 10; }
      if (!masked) { close(1002); return; }
      if (length > 4096) { close(1009); return; }
      if (buffer.length < offset + 4 + length) return;
      const key = buffer.subarray(offset, offset + 4);
      const payload = Buffer.from(buffer.subarray(offset + 4, offset + 4 + length));
      for (let i = 0; i < payload.length; i++) payload[i] ^= key[i & 3];
      buffer = buffer.subarray(offset + 4 + length);
      if (opcode === 0x8) { close(1000); return; }
      if (opcode === 0x9) { frame(0xA, payload); continue; }
      if (opcode !== 0x1) continue;
      const now = Date.now();
      tokens = Math.min(40, tokens + ((now - refilled) / 1000) * 20); refilled = now;
      let message;
      try { message = JSON.parse(payload.toString("utf8")); } catch { message = null; }
      if (tokens < 1) { session.send({ type: "error", code: "rateLimited", message: "Slow down: too many messages." }); continue; }
      tokens -= 1;
      if (!message || typeof message !== "object") { session.send({ type: "error", code: "malformedMessage", message: "That message was not understood." }); continue; }
      table.advance(now);
      table.receive(session, message, now);
    }
  });
  socket.on("close", () => { open = false; table.leave(session); });
  socket.on("error", () => {});
});

server.listen(port, "127.0.0.1", () => {
  const token = `${Buffer.from("p-1001").toString("base64url")}.1893456000.${"0".repeat(64)}`;
  console.log(`mock edge on http://127.0.0.1:${port}/?token=${token}`);
});
