/** A `ws` test client for Task Assistant's /api/v1/ws that keeps every message. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import WebSocket from 'ws';

export type Message = Record<string, any>;

/** A `ws` client that keeps every message and reads them in order. */
export class Socket {
  readonly messages: Message[] = [];
  /** Binary frames received: the API speaks JSON in text frames only (a browser gets a Blob otherwise). */
  binaryFrames = 0;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly openedAt = Date.now();
  #cursor = 0;
  #wake: () => void = () => {};

  readonly ws: WebSocket;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.binaryFrames++;
      this.messages.push(JSON.parse(String(data)));
      this.#wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        resolve({ code, reason: String(reason) });
        this.#wake();
      }),
    );
  }

  /** Opens a socket on the server at `baseUrl`; with a token, authenticates and checks the answer. */
  static async open(baseUrl: string, token?: string): Promise<Socket> {
    const socket = new Socket(new WebSocket(`${baseUrl.replace('http', 'ws')}/api/v1/ws`));
    await once(socket.ws, 'open');
    if (token) {
      socket.send({ type: 'auth', token });
      const reply = await socket.next();
      assert.equal(reply.type, 'auth_success', JSON.stringify(reply));
    }
    return socket;
  }

  send(message: Message | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next unread message that matches (the ones before it are passed over). */
  next(match: (m: Message) => boolean = () => true): Promise<Message> {
    return this.#wait(() => {
      while (this.#cursor < this.messages.length) {
        const message = this.messages[this.#cursor++]!;
        if (match(message)) return message;
      }
    });
  }

  /** Any message so far or to come that matches, read or not. */
  seen(match: (m: Message) => boolean): Promise<Message> {
    return this.#wait(() => this.messages.find(match));
  }

  async #wait(probe: () => Message | undefined, timeoutMs = 15_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = probe();
      if (found) return found;
      const left = deadline - Date.now();
      if (this.ws.readyState === WebSocket.CLOSED || left <= 0)
        throw new Error(`no matching message; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, left).unref();
      });
    }
  }

  /** The matching messages up to and including the first that `last` accepts. */
  async collect(match: (m: Message) => boolean, last: (m: Message) => boolean) {
    const seen: Message[] = [];
    for (;;) {
      const message = await this.next(match);
      seen.push(message);
      if (last(message)) return seen;
    }
  }

  /** ping → pong: the socket is open and still answering. */
  async assertAlive(): Promise<void> {
    this.send({ type: 'ping' });
    assert.deepEqual(await this.next((m) => m.type === 'pong'), { type: 'pong' });
  }

  close(): void {
    this.ws.close();
  }
}
