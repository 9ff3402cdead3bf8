# A WebSocket echo server on the Unix socket $TASKLANE_SOCKET, standard library only: an
# operator-defined environment profile for the proxy's WebSocket test. Plain HTTP
# requests get "plain http".
import base64, hashlib, os, socket, struct, threading

PATH = os.environ["TASKLANE_SOCKET"]
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
try:
    os.unlink(PATH)
except FileNotFoundError:
    pass


def exactly(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def handle(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            conn.close()
            return
        data += chunk
    head = data.split(b"\r\n\r\n")[0].decode()
    headers = {}
    for line in head.split("\r\n")[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("upgrade", "").lower() != "websocket":
        body = b"plain http"
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
        conn.close()
        return
    accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + GUID).encode()).digest()).decode()
    conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Accept: %s\r\n\r\n" % accept).encode())
    try:
        while True:
            b1, b2 = exactly(conn, 2)
            op, n = b1 & 0x0F, b2 & 0x7F
            if n == 126:
                n = struct.unpack(">H", exactly(conn, 2))[0]
            elif n == 127:
                n = struct.unpack(">Q", exactly(conn, 8))[0]
            mask = exactly(conn, 4) if b2 & 0x80 else b"\0\0\0\0"
            payload = bytes(x ^ mask[i % 4] for i, x in enumerate(exactly(conn, n)))
            if op == 8:
                conn.sendall(b"\x88\x00")
                break
            size = bytes([n]) if n < 126 else b"\x7e" + struct.pack(">H", n)
            conn.sendall(bytes([0x80 | op]) + size + payload)
    except EOFError:
        pass
    conn.close()


server = socket.socket(socket.AF_UNIX)
server.bind(PATH)
server.listen(16)
while True:
    client, _ = server.accept()
    threading.Thread(target=handle, args=(client,), daemon=True).start()
