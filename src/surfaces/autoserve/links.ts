/** Absolute links to this surface's own paths (download URLs), wherever it is mounted. */
import type { FastifyRequest } from 'fastify';
import { publicBaseUrl } from '../../http/context.ts';
import type { Links } from './presenters.ts';

export function linksOf(request: FastifyRequest): Links {
  const mount = request.server.runtime.config.surfaces.autoserve.mount.replace(/\/+$/, '');
  return { base: `${publicBaseUrl(request)}${mount}` };
}
