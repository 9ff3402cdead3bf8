/** Collects a stream up to a byte cap, then keeps draining it (so the child never blocks) and flags the loss. */
export class CappedOutput {
  readonly #chunks: Buffer[] = [];
  readonly #cap: number;
  #size = 0;
  truncated = false;

  constructor(cap: number) {
    this.#cap = cap;
  }

  push(chunk: Buffer): void {
    const room = this.#cap - this.#size;
    if (room <= 0) {
      this.truncated ||= chunk.length > 0;
      return;
    }
    if (chunk.length > room) {
      this.#chunks.push(chunk.subarray(0, room));
      this.#size = this.#cap;
      this.truncated = true;
      return;
    }
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  text(): string {
    return this.bytes().toString('utf8');
  }
}
