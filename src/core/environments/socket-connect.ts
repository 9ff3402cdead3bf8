/**
 * Connects to an environment's HTTP socket. The socket lives in a directory the
 * sandboxed program can write, so its name may be a link planted to make the server
 * (root) connect to some other socket on the host. The name is therefore opened with
 * O_PATH | O_NOFOLLOW (never blocks, never follows), checked to be a socket, and the
 * connection goes to exactly that inode through /proc/self/fd.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';

const O_PATH = 0o10000000;

export async function connectToSocket(socketPath: string, timeoutMs = 10_000): Promise<net.Socket> {
  const handle = await fsp.open(socketPath, O_PATH | fs.constants.O_NOFOLLOW);
  try {
    const stat = await handle.stat();
    if (!stat.isSocket()) throw new Error('the environment socket is not a socket');
    return await new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect(`/proc/self/fd/${handle.fd}`);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('connecting to the environment timed out'));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } finally {
    await handle.close();
  }
}
