import { Http, type HttpResponse, type Route } from './http.js';

function firstLine(text: string): string {
  const line = text.trim().split('\n', 1)[0] ?? '';
  return line.trim();
}

/**
 * `/help`: every endpoint with the first line of its help; `/help/<id>`: one process's
 * endpoints; `/help/<id>/<path>`: one endpoint's whole help text. Plain text, like a man page.
 */
export function helpResponse(path: string, table: ReadonlyMap<string, readonly Route[]>): HttpResponse {
  const rest = path === '/help' ? '' : path.slice('/help/'.length);
  if (rest === '') {
    const lines = ['Endpoints served here (see /help/<process>/<path> for details):', ''];
    for (const id of [...table.keys()].sort()) {
      for (const route of sortedRoutes(table.get(id) ?? [])) lines.push(`  /${id}${route.path}  ${firstLine(route.help)}`);
    }
    return Http.text(`${lines.join('\n')}\n`);
  }
  const slash = rest.indexOf('/');
  const id = slash < 0 ? rest : rest.slice(0, slash);
  const routes = table.get(id);
  if (routes === undefined) return Http.notFound(`No process '${id}' serves endpoints here; see /help`);
  if (slash < 0) {
    const lines = [`Endpoints of '${id}':`, ''];
    for (const route of sortedRoutes(routes)) lines.push(`  /${id}${route.path}  ${firstLine(route.help)}`);
    return Http.text(`${lines.join('\n')}\n`);
  }
  const routePath = rest.slice(slash);
  const route = routes.find((r) => r.path === routePath);
  if (route === undefined) return Http.notFound(`No endpoint '/${id}${routePath}'; see /help/${id}`);
  return Http.text(`/${id}${route.path}\n\n${route.help.trim()}\n`);
}

function sortedRoutes(routes: readonly Route[]): Route[] {
  return [...routes].sort((a, b) => a.path.localeCompare(b.path));
}
