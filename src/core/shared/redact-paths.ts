/**
 * Error messages shown to users must not reveal where the server keeps things: a path
 * inside a workspace becomes the path the program sees (/workspace/…), and any other
 * path under the data dir becomes `<data>/…`.
 */
export function pathRedactor(dataDir: string, workspaceRoot: string): (text: string) => string {
  const workspace = new RegExp(`${escapeRegExp(workspaceRoot)}/[A-Za-z0-9_-]+`, 'g');
  const data = new RegExp(escapeRegExp(dataDir), 'g');
  return (text) => text.replace(workspace, '/workspace').replace(data, '<data>');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
